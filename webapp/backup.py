"""`flask backup` and `flask restore`: the database and the uploads in one archive.

SQLite is copied with its online backup API, so a backup taken while workers
write is consistent. For PostgreSQL use pg_dump (see README); these commands
refuse rather than pretend.
"""

import io
import json
import os
import sqlite3
import tarfile
import tempfile
from datetime import datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from .db import close_all, flask_db, is_sqlite

DB_MEMBER = "database.sqlite3"
UPLOADS = "uploads"


def _sqlite_path():
    db = flask_db.database
    return getattr(db, "obj", db).database


def _uploads_dir():
    return current_app.config.get("UPLOAD_FOLDER") or os.path.join(current_app.instance_path, "uploads")


def make_backup(out_path: str) -> dict:
    """Writes a .tar.gz with the database, the uploads and a manifest; returns the manifest."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, DB_MEMBER)
        src = sqlite3.connect(_sqlite_path())
        dst = sqlite3.connect(copy)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        manifest = {"created_at": datetime.now().isoformat(timespec="seconds"), "files": 0}
        partial = out_path + ".partial"
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(copy, arcname=DB_MEMBER)
            uploads = _uploads_dir()
            if os.path.isdir(uploads):
                for root, _dirs, files in os.walk(uploads):
                    for name in files:
                        if name.endswith(".tmp"):
                            continue
                        full = os.path.join(root, name)
                        tar.add(full, arcname=os.path.join(UPLOADS, os.path.relpath(full, uploads)))
                        manifest["files"] += 1
            data = json.dumps(manifest).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        os.replace(partial, out_path)
    return manifest


def _safe_members(tar):
    for member in tar.getmembers():
        name = member.name
        if name.startswith("/") or ".." in name.split("/") or not (member.isfile() or member.isdir()):
            raise click.ClickException(f"Arsip berisi jalur yang tidak aman: {name!r}")
        yield member


def restore_backup(archive: str) -> dict:
    """Replaces the database and uploads with those in `archive`; returns
    the result of PRAGMA integrity_check and the manifest."""
    target = _sqlite_path()
    close_all()
    with tarfile.open(archive, "r:gz") as tar, tempfile.TemporaryDirectory() as tmp:
        members = list(_safe_members(tar))
        tar.extractall(tmp, members=members, filter="data")
        with open(os.path.join(tmp, "manifest.json")) as f:
            manifest = json.load(f)
        restored = os.path.join(tmp, DB_MEMBER)
        check = sqlite3.connect(restored)
        try:
            status = check.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            check.close()
        if status != "ok":
            raise click.ClickException(f"Basis data di arsip rusak: {status}")
        for suffix in ("-wal", "-shm"):
            if os.path.exists(target + suffix):
                os.remove(target + suffix)
        os.replace(restored, target)
        src_uploads = os.path.join(tmp, UPLOADS)
        if os.path.isdir(src_uploads):
            for root, _dirs, files in os.walk(src_uploads):
                for name in files:
                    rel = os.path.relpath(os.path.join(root, name), src_uploads)
                    dest = os.path.join(_uploads_dir(), rel)
                    os.makedirs(os.path.dirname(dest), exist_ok=True)
                    os.replace(os.path.join(root, name), dest)
    return {"integrity": status, **manifest}


def _require_sqlite():
    if not is_sqlite():
        raise click.ClickException(
            "Basis data PostgreSQL: gunakan pg_dump/pg_restore (lihat README) dan salin folder uploads.")


@click.command("backup")
@with_appcontext
@click.option("--out", "out_path", default=None, help="Berkas arsip (.tar.gz).")
def backup_command(out_path):
    """Mencadangkan basis data (sambil tetap melayani) dan berkas unggahan ke satu arsip."""
    _require_sqlite()
    out_path = out_path or os.path.join(
        current_app.instance_path, f"backup-{datetime.now():%Y%m%d-%H%M%S}.tar.gz")
    manifest = make_backup(out_path)
    click.echo(f"Cadangan tersimpan: {out_path} ({manifest['files']} berkas unggahan).")


@click.command("restore")
@with_appcontext
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Timpa basis data yang ada tanpa bertanya.")
def restore_command(archive, yes):
    """Memulihkan arsip `flask backup` ke instance ini (menimpa data yang ada)."""
    _require_sqlite()
    if not yes:
        click.confirm("Basis data dan unggahan di instance ini akan diganti. Lanjutkan?", abort=True)
    result = restore_backup(archive)
    click.echo(f"Dipulihkan dari cadangan {result['created_at']}: integrity_check {result['integrity']}, "
               f"{result['files']} berkas unggahan.")
