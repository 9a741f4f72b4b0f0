"""`flask petugas api-key …`: issue, list and revoke partner API keys."""

import click
from flask.cli import with_appcontext

from ..akun import roles
from ..akun.models import Account
from . import keys


def _issuer(email):
    account = Account.get_or_none(Account.email == (email or "").strip().lower())
    if account is None or not roles.is_officer(account):
        raise click.ClickException("Petugas dengan e-mail itu tidak ada.")
    profile = getattr(account, "officer", None)
    if profile is not None and not all(p.active for p in profile):
        raise click.ClickException("Petugas itu sedang dinonaktifkan.")
    return account


@click.group("api-key")
def api_key_group():
    """Kunci API untuk sistem mitra (lihat docs/api.md)."""


@api_key_group.command("buat")
@click.option("--oleh", required=True, help="E-mail petugas yang menerbitkan (Dinas Sosial atau pusat).")
@click.option(
    "--wilayah", required=True, help="Kode wilayah yang boleh dibaca kunci ini, di dalam wilayah petugas."
)
@click.option("--nama", required=True, help="Nama sistem mitra, misalnya 'SID Desa Beji'.")
@click.option("--batas", default=keys.DEFAULT_LIMIT, show_default=True, help="Batas permintaan kunci ini.")
@with_appcontext
def create_command(oleh, wilayah, nama, batas):
    """Menerbitkan kunci; kunci hanya ditampilkan sekali."""
    try:
        row, key = keys.issue(_issuer(oleh), wilayah, nama, batas)
    except keys.KeyError_ as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"Kunci {row.public_id} untuk '{row.name}', wilayah {row.region_code}, batas {row.rate_limit}."
    )
    click.echo("Simpan kunci ini sekarang; tidak ditampilkan lagi:")
    click.echo(f"  {key}")


@api_key_group.command("daftar")
@with_appcontext
def list_command():
    """Menampilkan kunci (tanpa rahasianya)."""
    for row in keys.ApiKey.select().order_by(keys.ApiKey.id):
        state = "aktif" if row.active else f"dicabut {row.revoked_at:%Y-%m-%d}"
        used = f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "belum dipakai"
        click.echo(
            f"{row.public_id}  {row.region_code:<13}  {row.rate_limit:<16}  {state:<18}  {used}  {row.name}"
        )


@api_key_group.command("cabut")
@click.argument("kunci_id")
@click.option("--oleh", required=True, help="E-mail petugas yang mencabut.")
@with_appcontext
def revoke_command(kunci_id, oleh):
    """Mencabut kunci: permintaan berikutnya dengan kunci itu ditolak."""
    try:
        row = keys.revoke(_issuer(oleh), kunci_id)
    except keys.KeyError_ as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Kunci {row.public_id} dicabut.")
