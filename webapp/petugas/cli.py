"""`flask petugas …`: create, disable and re-scope officers; import a
registry file. Output names officers by e-mail only (no NIK, no name)."""

import click
from flask.cli import with_appcontext

from ..akun import audit, roles
from ..akun.models import Account
from ..db import atomic_write
from ..registry.models import Region
from . import importer, officers, totp
from .models import OfficerProfile


def _region(code, role):
    level = roles.ROLES[role]
    if level == 0:
        if code:
            raise click.ClickException("Peran pusat tidak memakai --wilayah.")
        return None
    region = Region.get_or_none(Region.code == (code or ""))
    if region is None or region.level != level:
        want = "desa/kelurahan (mis. 32.76.06.1001)" if level == 4 else "kabupaten/kota (mis. 32.76)"
        raise click.ClickException(f"Peran {role} memerlukan --wilayah berupa kode {want}.")
    return region.code


def _ask_password():
    """Like click's password prompt (hidden, asked twice), in Bahasa Indonesia:
    click's own prompt says "Repeat for confirmation" and its mismatch error
    is English too."""
    while True:
        first = click.prompt("Kata sandi", hide_input=True)
        if click.prompt("Ulangi untuk konfirmasi", hide_input=True) == first:
            return first
        click.echo("Kesalahan: kedua kata sandi tidak sama. Coba lagi.", err=True)


def _officer(email):
    account = Account.get_or_none(Account.email == email.strip().lower())
    if account is None or not roles.is_officer(account):
        raise click.ClickException("Petugas dengan e-mail itu tidak ada.")
    return account


@click.group("petugas")
def petugas_group():
    """Mengelola akun petugas dan impor data penerima."""


@petugas_group.command("buat")
@click.option("--email", required=True, help="E-mail untuk masuk.")
@click.option("--nik", required=True, help="NIK petugas (16 digit).")
@click.option("--nama", required=True, help="Nama petugas.")
@click.option("--peran", required=True, type=click.Choice(sorted(roles.ROLES)), help="Peran petugas.")
@click.option("--wilayah", default="", help="Kode wilayah kerja (desa untuk operator, kabupaten/kota "
              "untuk Dinas Sosial dan pemda; kosong untuk pusat).")
@click.option("--sandi", help="Kata sandi (minimal 12 karakter); tanpa opsi ini ditanyakan dua kali.")
@with_appcontext
def create_command(email, nik, nama, peran, wilayah, sandi):
    """Membuat petugas dan menampilkan rahasia TOTP sekali saja."""
    if sandi is None:
        sandi = _ask_password()
    region = _region(wilayah.strip(), peran)  # the CLI's own wording for a wrong code
    try:
        account, secret, _token = officers.create(None, email, nik, nama, peran, wilayah.strip(),
                                                  password=sandi)
    except officers.OfficerError as exc:
        raise click.ClickException(str(exc.message)) from None
    click.echo(f"Petugas {account.email} dibuat ({peran}, wilayah {region or 'seluruh Indonesia'}).")
    click.echo("Masukkan rahasia ini ke aplikasi autentikator sekarang; tidak ditampilkan lagi:")
    click.echo(f"  rahasia: {secret}")
    click.echo(f"  URI: {totp.provisioning_uri(secret, account.email)}")


@petugas_group.command("nonaktifkan")
@click.argument("email")
@with_appcontext
def disable_command(email):
    """Menonaktifkan petugas; sesinya langsung berakhir."""
    account = _officer(email)
    with atomic_write(f"account:{account.id}"):
        OfficerProfile.update(active=False).where(OfficerProfile.account == account.id).execute()
        Account.update(session_version=Account.session_version + 1).where(Account.id == account.id).execute()
        audit.record(None, "petugas_nonaktif", "akun", account.public_id, region=account.region_scope or "")
    click.echo(f"Petugas {account.email} dinonaktifkan.")


@petugas_group.command("ubah-wilayah")
@click.argument("email")
@click.option("--wilayah", required=True, help="Kode wilayah kerja yang baru.")
@click.option("--peran", type=click.Choice(sorted(roles.ROLES)), help="Peran baru (bila berubah).")
@with_appcontext
def rescope_command(email, wilayah, peran):
    """Memindahkan petugas ke wilayah (dan peran) lain; sesinya berakhir."""
    account = _officer(email)
    role = peran or account.role
    region = _region(wilayah.strip(), role)
    with atomic_write(f"account:{account.id}"):
        Account.update(role=role, region_scope=region, session_version=Account.session_version + 1).where(
            Account.id == account.id).execute()
        audit.record(None, "petugas_wilayah", "akun", account.public_id, region=region or "",
                     detail=f"{role}")
    click.echo(f"Petugas {account.email} sekarang {role}, wilayah {region or 'seluruh Indonesia'}.")


@petugas_group.command("impor")
@click.argument("berkas", type=click.File("rb"))
@with_appcontext
def import_command(berkas):
    """Mengimpor daftar penerima (CSV, lihat docs/import-format.md): semua
    baris atau tidak sama sekali."""
    raw = berkas.read()
    lines = max(raw.count(b"\n") - 1, 0)
    with click.progressbar(length=lines, label="Memeriksa baris") as bar:
        seen = [0]

        def progress(done):
            bar.update(done - seen[0])
            seen[0] = done

        report = importer.run(raw, progress=progress)
        bar.update(max(lines - seen[0], 0))
    if not report.ok:
        for line, message in report.errors[:200]:
            click.echo(f"baris {line}: {message}", err=True)
        raise click.ClickException(f"{len(report.errors)} baris salah; tidak ada yang diimpor.")
    audit.record(None, "impor", "registry", "", detail=f"baris:{len(report.rows)}")
    click.echo(f"{len(report.rows)} baris diimpor.")
