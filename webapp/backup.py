"""`flask backup` and `flask restore`: the database, the uploads and
instance/secret_key in one archive, sealed with the installation key
(webapp.crypto), mode 0600. The keyring itself is never in it.

SQLite is copied with its online backup API, so a backup taken while workers
write is consistent; deletions of photos wait for the snapshot (see
uploads.frozen), so every row in an archive has its file. For PostgreSQL
use pg_dump (see README); these commands refuse rather than pretend.
"""

import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile

import click
from cryptography.exceptions import InvalidTag
from flask import current_app
from flask.cli import with_appcontext

from . import clock, crypto
from .db import close_all, flask_db, is_sqlite
from .uploads import DEFERRED, frozen

DB_MEMBER = "database.sqlite3"
UPLOADS = "uploads"
SECRET_MEMBER = "secret_key"  # noqa: S105 - a file name, not a secret


def _sqlite_path():
    db = flask_db.database
    return getattr(db, "obj", db).database


def _uploads_dir():
    return current_app.config.get("UPLOAD_FOLDER") or os.path.join(current_app.instance_path, "uploads")


def _link_all(folder, uploads, workdir):
    """Hard-links (copies where linking fails) the files under `folder` into
    workdir/uploads; files moved aside by delete() go back under their
    name. Returns how many were new."""
    added = 0
    for root, _dirs, names in os.walk(folder):
        for name in names:
            full = os.path.join(root, name)
            rel = os.path.relpath(full, uploads)
            if name.endswith(".tmp"):
                continue
            if rel.split(os.sep)[0].startswith(DEFERRED):
                rel = name.replace("__", os.sep, 1)  # deleted meanwhile: back under its name
            target = os.path.join(workdir, UPLOADS, rel)
            if os.path.exists(target):
                continue
            os.makedirs(os.path.dirname(target), mode=0o700, exist_ok=True)
            try:
                os.link(full, target)
            except FileNotFoundError:
                continue  # a temp file renamed, or moved aside: the next pass finds it
            except OSError:
                shutil.copy2(full, target)
            added += 1
    return added


def _snapshot(workdir):
    """The database and every upload as of one moment, in `workdir`: the
    database copy and hard links of the files are made while deletions are
    held (uploads.frozen: a deletion meanwhile moves the file aside), so a
    photo replaced meanwhile is kept with the row that still names it.
    Returns the count of files."""
    uploads = _uploads_dir()
    deferred = os.path.join(uploads, DEFERRED)
    files = 0
    with frozen(exclusive=True):
        src = sqlite3.connect(_sqlite_path())
        dst = sqlite3.connect(os.path.join(workdir, DB_MEMBER))
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        if os.path.isdir(uploads):
            files += _link_all(uploads, uploads, workdir)
            # A file moved aside after the walk passed the deferred folder but
            # before it reached the file's own folder: a second look finds it.
            files += _link_all(deferred, uploads, workdir)
        done = f"{deferred}-{os.getpid()}-{os.urandom(4).hex()}"
        if os.path.isdir(deferred):
            os.rename(deferred, done)
    shutil.rmtree(done, ignore_errors=True)  # the deletions asked for meanwhile
    return files


def make_backup(out_path: str) -> dict:
    """Writes the archive (a .tar.gz sealed with the installation key, mode
    0600): database, uploads, instance/secret_key and a manifest. Returns
    the manifest (with the key id the archive needs)."""
    workdir = tempfile.mkdtemp(prefix=".backup-", dir=current_app.instance_path)  # mode 0700
    try:
        files = _snapshot(workdir)
        manifest = {"created_at": clock.utcnow().isoformat(timespec="seconds"), "files": files,
                    "key_id": crypto.keyring().current.hex()}
        tar_path = os.path.join(workdir, "archive.tar.gz")
        with tarfile.open(tar_path, "w:gz") as tar:
            tar.add(os.path.join(workdir, DB_MEMBER), arcname=DB_MEMBER)
            if os.path.isdir(os.path.join(workdir, UPLOADS)):
                tar.add(os.path.join(workdir, UPLOADS), arcname=UPLOADS)
            secret = os.path.join(current_app.instance_path, SECRET_MEMBER)
            if os.path.exists(secret):
                tar.add(secret, arcname=SECRET_MEMBER)
            data = json.dumps(manifest).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        partial = out_path + ".partial"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as out, open(tar_path, "rb") as src:
            crypto.seal_stream(src, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, out_path)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return manifest


def _open_archive(archive, workdir):
    """The plain tar.gz: decrypted into `workdir` when sealed (an archive
    from before encryption is read as it is)."""
    with open(archive, "rb") as f:
        kid = crypto.stream_key_id(f)
        if kid is None:
            return archive
        ring = crypto.keyring()
        if kid not in ring.keys:
            raise click.ClickException(
                f"Cadangan ini terenkripsi dengan kunci {kid.hex()}, yang tidak ada di keyring "
                f"({crypto.key_file(current_app) or 'FLASK_ENCRYPTION_KEYS'}). Pasang keyring instalasi "
                "asal sebagai ENCRYPTION_KEY_FILE lalu ulangi.")
        plain = os.path.join(workdir, "archive.tar.gz")
        fd = os.open(plain, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            try:
                crypto.unseal_stream(f, out)
            except (InvalidTag, ValueError):
                raise click.ClickException(
                    "Arsip cadangan rusak atau terpotong (gagal diverifikasi).") from None
        return plain


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
    with tempfile.TemporaryDirectory(dir=current_app.instance_path, prefix=".restore-") as tmp, \
            tarfile.open(_open_archive(archive, tmp), "r:gz") as tar:
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
        os.chmod(restored, 0o600)
        os.replace(restored, target)
        secret = os.path.join(tmp, SECRET_MEMBER)
        if os.path.isfile(secret):
            os.chmod(secret, 0o600)
            os.replace(secret, os.path.join(current_app.instance_path, SECRET_MEMBER))
        src_uploads = os.path.join(tmp, UPLOADS)
        if os.path.isdir(src_uploads):
            os.makedirs(_uploads_dir(), mode=0o700, exist_ok=True)
            os.chmod(_uploads_dir(), 0o700)
            for root, _dirs, files in os.walk(src_uploads):
                for name in files:
                    rel = os.path.relpath(os.path.join(root, name), src_uploads)
                    dest = os.path.join(_uploads_dir(), rel)
                    os.makedirs(os.path.dirname(dest), mode=0o700, exist_ok=True)
                    os.chmod(os.path.dirname(dest), 0o700)
                    os.chmod(os.path.join(root, name), 0o600)
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
        current_app.instance_path, f"backup-{clock.utcnow():%Y%m%d-%H%M%S}.tar.gz")
    manifest = make_backup(out_path)
    key_path = crypto.key_file(current_app) or "FLASK_ENCRYPTION_KEYS"
    click.echo(f"Cadangan tersimpan: {out_path} ({manifest['files']} berkas unggahan), terenkripsi "
               f"(AES-256-GCM) dengan kunci {manifest['key_id']}.")
    click.echo(f"Kunci itu ada di keyring {key_path}, yang TIDAK ikut di arsip: simpan salinannya di tempat "
               "lain (bukan bersama cadangan); tanpa kunci itu arsip tidak dapat dibuka.")
    click.echo("Cara memulihkan: pasang keyring tersebut (ENCRYPTION_KEY_FILE=<berkas> atau "
               f"FLASK_ENCRYPTION_KEYS), lalu jalankan: flask restore {out_path} --yes")


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
