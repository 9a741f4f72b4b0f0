"""`flask kunci`: the encryption keyring (webapp.crypto) for operators.

Rotation without downtime, in two steps:

1. `flask kunci putar` writes a new key at the top of the keyring (the old
   keys stay below it). Every worker notices the changed file at its next
   seal/unseal and seals new data with the new key; data sealed with an old
   key still opens. The command then re-wraps every upload, TOTP and
   enrolment secret, outbox mail, queued import upload and mail kept in
   outbox/pending/ under the new key (each file atomically) and says how many remain on old
   keys (a worker may have sealed one with the old key just before noticing).
2. `flask kunci pensiunkan` (run again `putar --tanpa-kunci-baru` first if
   anything remained) removes old keys, and refuses while anything still
   needs one.
"""

import os

import click
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app
from flask.cli import with_appcontext

from . import crypto, mail, uploads
from .db import flask_db


def _upload_files():
    root = uploads.upload_root()
    for directory, _dirs, files in os.walk(root):
        for filename in files:
            rel = os.path.relpath(os.path.join(directory, filename), root).replace(os.sep, "/")
            try:
                uploads.path_of(rel)
            except FileNotFoundError:
                continue  # temp files, the lock file, files moved aside by a backup
            yield rel


def rewrap(ring) -> tuple[int, int]:
    """Seals every upload, sealed column (crypto.SEALED_COLUMNS: TOTP and
    enrolment secrets, mail outbox, import uploads) and mail kept in
    outbox/pending/ not under the current key again under it. Returns
    (re-wrapped, still on another key)."""
    done = 0
    for name in _upload_files():
        path = uploads.path_of(name)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            continue  # deleted meanwhile
        if crypto.sealed_with(data) == ring.current:
            continue
        plain = crypto.unseal(data, ring) if crypto.is_sealed(data) else data
        if not os.path.exists(path):
            continue
        uploads.write_atomic(os.path.dirname(path), os.path.basename(path), crypto.seal(plain, ring))
        done += 1
    for table, column, kind in crypto.SEALED_COLUMNS:
        done += crypto.reseal_column(flask_db.database, table, column, kind, ring)
    done += mail.reseal_pending(ring, current_app.instance_path)
    left = count_old(ring)
    return done, left


def count_old(ring) -> int:
    old = 0
    for name in _upload_files():
        try:
            with open(uploads.path_of(name), "rb") as f:
                head = f.read(8)
        except FileNotFoundError:
            continue
        if crypto.sealed_with(head + b"\0" * 32) != ring.current:
            old += 1
    for table, column, kind in crypto.SEALED_COLUMNS:
        old += crypto.count_old_column(flask_db.database, table, column, kind, ring)
    for path in mail.pending_files(current_app.instance_path):
        try:
            with open(path, "rb") as f:
                head = f.read(8)
        except FileNotFoundError:
            continue
        if crypto.sealed_with(head + b"\0" * 32) != ring.current:
            old += 1
    return old


@click.group("kunci")
def kunci_group():
    """Kunci enkripsi data (foto, rahasia TOTP, cadangan)."""


@kunci_group.command("status")
@with_appcontext
def status_command():
    """Menampilkan lokasi keyring, kunci aktif dan jumlah data pada kunci lama."""
    ring = crypto.keyring()
    click.echo(f"Keyring: {crypto.key_file(current_app) or 'FLASK_ENCRYPTION_KEYS'}")
    click.echo(f"Kunci aktif: {ring.current.hex()}; kunci lama: "
               f"{', '.join(k.hex() for k in ring.keys if k != ring.current) or '-'}")
    click.echo(f"Data pada kunci lama: {count_old(ring)}")


@kunci_group.command("putar")
@click.option("--tanpa-kunci-baru", is_flag=True, help="Hanya segel ulang data pada kunci lama.")
@with_appcontext
def rotate_command(tanpa_kunci_baru):
    """Membuat kunci baru dan menyegel ulang semua data dengannya, tanpa menghentikan layanan."""
    ring = crypto.keyring()
    path = crypto.key_file(current_app)
    if not tanpa_kunci_baru:
        keys = [AESGCM.generate_key(bit_length=256)] + ring.raw
        if path is None:
            raise click.ClickException(
                "Keyring diberikan lewat FLASK_ENCRYPTION_KEYS: ganti nilainya di semua proses menjadi\n  "
                + ",".join(crypto.encode_key(k) for k in keys)
                + "\nlalu jalankan `flask kunci putar --tanpa-kunci-baru`.")
        crypto.write_keyring(path, keys)
        ring = crypto.keyring()
        click.echo(f"Kunci baru {ring.current.hex()} aktif di {path}.")
    crypto.write_check(current_app.instance_path, ring)
    done, left = rewrap(ring)
    click.echo(f"{done} data disegel ulang dengan kunci {ring.current.hex()}; {left} masih pada kunci lama.")
    if left:
        click.echo("Jalankan lagi `flask kunci putar --tanpa-kunci-baru` sebelum `flask kunci pensiunkan`.")


@kunci_group.command("pensiunkan")
@with_appcontext
def retire_command():
    """Menghapus kunci lama dari keyring bila tidak ada data yang masih memerlukannya."""
    ring = crypto.keyring()
    path = crypto.key_file(current_app)
    old = count_old(ring)
    if old:
        raise click.ClickException(f"{old} data masih pada kunci lama: jalankan `flask kunci putar "
                                   "--tanpa-kunci-baru` dulu.")
    if path is None:
        raise click.ClickException(
            "Keyring lewat FLASK_ENCRYPTION_KEYS: sisakan hanya kunci pertama di nilainya.")
    crypto.write_keyring(path, ring.raw[:1])
    click.echo(f"Keyring kini hanya memuat kunci {ring.current.hex()}. Cadangan lama memerlukan kunci lama: "
               "simpan salinannya bersama cadangan lama itu (bukan di server ini) bila masih diperlukan.")
