"""`flask akun setujui|tolak`: the verifier's decision until the officer UI
(#5) exists. Prints masked identifiers only."""

import click
from flask.cli import with_appcontext

from ..identity import mask_nik
from . import services
from .models import OFFICER


def _masked_email(email):
    if not email:
        return "tanpa e-mail"
    local, _at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def _load(identifier):
    account = services.find_account(identifier)
    if account is None:
        raise click.ClickException("Akun tidak ditemukan.")
    return account


def _label(account):
    return f"{mask_nik(account.nik)} / {_masked_email(account.email)}"


@click.group("akun")
def akun_group():
    """Memeriksa akun warga (sementara, sebelum ada halaman petugas)."""


@akun_group.command("setujui")
@click.argument("identitas")
@with_appcontext
def approve_command(identitas):
    """Mengaktifkan akun yang menunggu verifikasi petugas (NIK atau e-mail)."""
    account = _load(identitas)
    if not services.approve(account):
        raise click.ClickException(f"Akun {_label(account)} tidak dalam status '{OFFICER}'.")
    click.echo(f"Akun {_label(account)} sekarang aktif.")


@akun_group.command("tolak")
@click.argument("identitas")
@click.option("--alasan", required=True, type=click.Choice(sorted(services.REJECT_REASONS)),
              help="Kode alasan penolakan.")
@with_appcontext
def reject_command(identitas, alasan):
    """Menolak akun yang menunggu verifikasi petugas, dengan alasan dari daftar tetap."""
    account = _load(identitas)
    if not services.reject(account, alasan):
        raise click.ClickException(f"Akun {_label(account)} tidak dalam status '{OFFICER}'.")
    click.echo(f"Akun {_label(account)} ditolak (alasan: {alasan}).")
