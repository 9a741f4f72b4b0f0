"""Backups an operator can rely on (issue 14, items 5-7): taken while photos
change, every row in the archive has its file; instance/secret_key travels
with it; the archive, the database files and restored folders are private."""

import os
import stat
import tarfile
import threading

import pytest
from werkzeug.datastructures import FileStorage

from webapp import backup, create_app, crypto, uploads
from webapp.akun.models import PHOTOS, Photo
from webapp.akun.photos import save_photo
from webapp.db import close_all, flask_db

from .conftest import _config
from .dbbackend import NAME, backend
from .test_akun_photos import jpeg_with_gps, make

pytestmark = pytest.mark.skipif(NAME != "sqlite", reason="flask backup is SQLite-only (pg_dump otherwise)")


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_backup_taken_while_photos_change_has_every_file(app, tmp_path):
    accounts = []
    photo = jpeg_with_gps((64, 48))
    with app.app_context():
        for i in range(6):
            accounts.append(make_account(i))
            save_photo(accounts[-1], "ktp", FileStorage(stream=_bytes(photo), filename="k.jpg"))
        flask_db.database.close()
    stop = threading.Event()
    replaced = []

    def replace_photos():
        with app.app_context():
            while not stop.is_set():
                for account in accounts:
                    save_photo(account, "ktp", FileStorage(stream=_bytes(photo), filename="k.jpg"))
                    replaced.append(1)
            flask_db.database.close()

    worker = threading.Thread(target=replace_photos)
    worker.start()
    archives = []
    try:
        with app.app_context():
            for n in range(6):
                out = str(tmp_path / f"cadangan-{n}.tar.gz")
                backup.make_backup(out)
                archives.append(out)
            flask_db.database.close()
    finally:
        stop.set()
        worker.join()
    assert len(replaced) > 12  # photos really changed during the backups
    keyring = crypto.key_file(app)
    missing = 0
    for n, archive in enumerate(archives):
        fresh = tmp_path / f"pulih-{n}"
        fresh.mkdir()
        other = create_app(_config(fresh, ENCRYPTION_KEY_FILE=keyring))
        with other.app_context():
            backup.restore_backup(archive)
            names = [p.name for p in Photo.select()]
            assert names
            for name in names:
                try:
                    assert uploads.read(name)[:3] == b"\xff\xd8\xff"
                except FileNotFoundError:
                    missing += 1
            close_all()
    flask_db.init_app(app)  # the fresh apps re-pointed the shared database proxy
    assert missing == 0, f"{missing} rows restored without their file"


def _bytes(data):
    import io

    return io.BytesIO(data)


def make_account(i):
    from .conftest import new_account, synthetic_nik

    return new_account(PHOTOS, nik=synthetic_nik(serial=f"{i + 10:04d}"), email=f"warga{i}@example.com")


def test_secret_key_and_private_modes_survive_backup_and_restore(tmp_path, template_instance):
    instance = tmp_path / "instance"
    instance.mkdir()
    config = _config(instance, **backend.clone(template_instance, instance))
    config.pop("SECRET_KEY")  # generated into instance/secret_key, as in production
    app = create_app(config)
    make(app)
    with app.app_context():
        from webapp.akun.models import Account

        save_photo(Account.get(), "ktp", FileStorage(stream=_bytes(jpeg_with_gps()), filename="k.jpg"))
        archive = str(tmp_path / "cadangan.tar.gz")
        backup.make_backup(archive)
        close_all()
    secret = (instance / "secret_key").read_text()
    for path in [archive, instance / "cekbansos.sqlite3", instance / "huey.sqlite3", instance / "secret_key"]:
        assert mode(path) == 0o600, path
    with pytest.raises(tarfile.ReadError):
        tarfile.open(archive)  # noqa: SIM115 - sealed: not a readable tar

    fresh = tmp_path / "fresh"
    fresh.mkdir()
    os.umask(old := os.umask(0o022))
    other_config = _config(fresh, ENCRYPTION_KEY_FILE=crypto.key_file(app))
    other_config.pop("SECRET_KEY")
    other = create_app(other_config)
    with other.app_context():
        backup.restore_backup(archive)
        close_all()
    assert (fresh / "secret_key").read_text() == secret
    assert mode(fresh / "cekbansos.sqlite3") == 0o600
    assert mode(fresh / "uploads") == 0o700 and mode(fresh / "uploads" / "akun") == 0o700
    for name in os.listdir(fresh / "uploads" / "akun"):
        assert mode(fresh / "uploads" / "akun" / name) == 0o600
    assert old is not None


@pytest.mark.parametrize("step", ["makedirs", "replace"])
def test_a_deletion_racing_the_end_of_a_snapshot_still_deletes(app, monkeypatch, step):
    """A deletion while a backup holds the lock moves the file aside; the
    backup renames that folder away as its snapshot ends. Between the
    deletion's two steps (make the folder, move the file) the folder can be
    there and then gone: the deletion looks again instead of failing, or of
    leaving a replaced photo behind."""
    import contextlib

    with app.app_context():
        name = uploads.store(b"\xff\xd8\xff\xe0 not a real photo", "akun")
        path = uploads.path_of(name)
        assert os.path.exists(path)
        held = iter([False, True])  # a backup's snapshot, then none

        @contextlib.contextmanager
        def frozen(exclusive):
            yield next(held)

        real = {"makedirs": os.makedirs, "replace": os.replace}[step]
        calls = []

        def racing(*args, **kwargs):
            calls.append(args)
            if len(calls) == 1:  # the backup's rename came first
                raise FileExistsError(args[0]) if step == "makedirs" else FileNotFoundError(args[1])
            return real(*args, **kwargs)

        monkeypatch.setattr(uploads, "frozen", frozen)
        monkeypatch.setattr(uploads.os, step, racing)
        uploads.delete(name)
        monkeypatch.undo()
        assert calls and not os.path.exists(path)
