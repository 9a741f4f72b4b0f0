"""`flask` commands for operators: schema, regions, demo data, captcha voices.
Help texts and messages are in Bahasa Indonesia, like `flask akun` and
`flask petugas`: operators read them."""

import click
from flask import current_app
from flask.cli import with_appcontext

from . import tasks, voices
from .backup import backup_command, restore_command
from .captcha.media import record_voices, voices_dir
from .mail import outbox_command
from .migrations import create_schema
from .registry.models import Household
from .registry.programs import seed_programs
from .registry.regions import load_regions, region_count
from .retention import purge_command, sweep_command

COUNTRY_REGIONS = 38 + 514 + 7285 + 83762


@click.command("load-regions")
@with_appcontext
def load_regions_command():
    """Memuat semua provinsi, kabupaten/kota, kecamatan dan desa/kelurahan (aman diulang)."""
    with click.progressbar(length=COUNTRY_REGIONS, label="Memuat wilayah") as bar:
        counts, total = load_regions(progress=bar.update)
    click.echo(f"{total} wilayah: {counts.get(1, 0)} provinsi, {counts.get(2, 0)} kabupaten/kota, "
               f"{counts.get(3, 0)} kecamatan, {counts.get(4, 0)} desa/kelurahan.")


def _print_examples():
    from .registry.demo import examples  # Faker (~5 MB) only for the demo commands, not every worker

    rows = examples()
    if not rows:
        return
    click.echo("Contoh untuk dicoba di halaman Cek Bansos (data sintetis):")
    for name, nik, desa_code, desa_name in rows:
        click.echo(f"  desa {desa_name} ({desa_code}) · nama: {name} · NIK: {nik}")


@click.command("seed-demo")
@with_appcontext
@click.option("--households", default=2000, show_default=True, help="Jumlah keluarga sintetis.")
@click.option("--seed", default=2026, show_default=True, help="Benih acak (hasil sama untuk benih sama).")
def seed_demo_command(households, seed):
    """Membuat data penerima sintetis (nama buatan Faker, bukan orang sungguhan)."""
    with click.progressbar(length=households, label="Membuat data contoh") as bar:
        from .registry.demo import Generator  # Faker only for the demo commands

        hh, persons = Generator(seed).run(households, progress=bar.update)
    click.echo(f"Registri berisi {hh} keluarga dan {persons} orang.")
    _print_examples()


@click.command("captcha-voices")
@with_appcontext
def captcha_voices_command():
    """Merekam angka yang diucapkan untuk captcha suara (perlu espeak-ng) dan
    menyimpannya juga di basis data, agar semua host memakai rekaman yang sama."""
    if record_voices(voices_dir()):
        voices.publish(voices_dir())
        click.echo("Suara captcha siap (juga tersimpan di basis data untuk host lain).")
    else:
        click.echo("espeak-ng tidak terpasang: captcha suara tidak tersedia.", err=True)


@click.command("setup")
@with_appcontext
@click.option("--households", default=20000, show_default=True,
              help="Jumlah keluarga sintetis bila registri masih kosong.")
def setup_command(households):
    """Menyiapkan semua yang diperlukan untuk mulai pertama kali: skema, wilayah,
    data contoh dan suara captcha. Bila sudah siap, hanya memeriksa lalu selesai."""
    create_schema()
    seed_programs()
    if region_count() < COUNTRY_REGIONS:
        load_regions_command.callback()
    if not Household.select().exists():
        seed_demo_command.callback(households, 2026)
    else:
        _print_examples()
    said = {"published": "Suara captcha host ini disimpan ke basis data untuk host lain.",
            "fetched": "Suara captcha disalin dari basis data.",
            "recorded": "Suara captcha direkam dan disimpan ke basis data.",
            "missing": "espeak-ng tidak terpasang dan basis data belum punya suara captcha: "
                       "captcha suara tidak tersedia."}
    outcome = voices.sync(voices_dir(), record=record_voices)
    if outcome in said:
        click.echo(said[outcome], err=outcome == "missing")


@click.command("antrean")
@with_appcontext
@click.option("--perlu-konsumen", "needs_consumer", is_flag=True,
              help="Tanpa keluaran: kode 0 bila perlu konsumen antrean, 1 bila tugas berjalan langsung.")
def queue_command(needs_consumer):
    """Menampilkan tempat antrean tugas dan apakah perlu konsumen (huey_consumer)."""
    inline = tasks.immediate(current_app)
    if needs_consumer:
        raise SystemExit(1 if inline else 0)
    where = {"redis": "Redis (REDIS_URL)", "sql": "PostgreSQL (DATABASE_URL)",
             "sqlite": f"berkas SQLite instance/{current_app.config['HUEY_SQLITE_FILENAME']}"}
    click.echo(f"Antrean tugas: {where[tasks.storage_kind(current_app)]}.")
    if inline:
        click.echo("Mode TESTING/HUEY_IMMEDIATE: tugas berjalan langsung di dalam permintaan; "
                   "jangan jalankan huey_consumer.")
    else:
        click.echo("Jalankan huey_consumer webapp.tasks.huey; tugas berkala (purge, sweep-uploads) "
                   "berjalan sekali saja per jadwal walau ada beberapa konsumen.")


def init_app(app):
    for command in (load_regions_command, seed_demo_command, captcha_voices_command, setup_command,
                    backup_command, restore_command, purge_command, sweep_command, queue_command,
                    outbox_command):
        app.cli.add_command(command)
