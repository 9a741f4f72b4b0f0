"""Encryption at rest (issue 14): what a thief copying instance/, the disk or
a backup gets is ciphertext; the right keyring is needed to start; keys
rotate with `flask kunci` while the site keeps serving."""

import io
import os
import re
from pathlib import Path

import pyotp
import pytest
from flask import Flask
from PIL import Image

from webapp import create_app, crypto, uploads
from webapp.akun.models import Photo
from webapp.db import flask_db
from webapp.petugas.models import OfficerProfile

from .conftest import _config
from .dbbackend import NAME
from .test_akun_photos import jpeg_with_gps, make, photo_url, signed_in, upload
from .test_petugas_support import DESA, OFFICER_PASSWORD

# An image file's first bytes: JPEG SOI + a marker that follows it in real
# files (APPn, DQT), and the PNG signature.
JPEG_START = re.compile(rb"\xff\xd8\xff[\xdb\xe0-\xef]")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_bytes():
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (10, 120, 200)).save(out, "PNG")
    return out.getvalue()


def every_file(folder):
    for directory, _dirs, files in os.walk(folder):
        for name in files:
            yield os.path.join(directory, name)


def leaks(path, secrets_):
    """What in the file at `path` a thief could use: image signatures and any
    of `secrets_` (as text, in either case)."""
    with open(path, "rb") as f:
        data = f.read()
    found = []
    if JPEG_START.search(data):
        found.append("JPEG")
    if PNG_SIGNATURE in data:
        found.append("PNG")
    for secret in secrets_:
        if secret.encode() in data or secret.lower().encode() in data:
            found.append("secret")
    return found


@pytest.fixture
def officer_secret(app, runner):
    result = runner.invoke(args=["petugas", "buat", "--email", "op@contoh.test", "--nik", "3276060101700001",
                                 "--nama", "Operator Contoh", "--peran", "operator_desa", "--wilayah", DESA,
                                 "--sandi", OFFICER_PASSWORD])
    assert result.exit_code == 0, result.output
    return re.search(r"rahasia: ([A-Z2-7]+)", result.output).group(1)


def test_instance_and_backup_hold_no_photo_and_no_totp_secret(app, runner, tmp_path, officer_secret):
    make(app)
    citizen = signed_in(app)
    assert upload(citizen, "ktp", jpeg_with_gps()).status_code == 302
    assert upload(citizen, "selfie", png_bytes(), "selfie.png").status_code == 302
    served = citizen.get(photo_url(citizen, "ktp"))
    assert served.status_code == 200 and JPEG_START.match(served.get_data())  # the owner still sees it
    instance = tmp_path / "instance"
    with app.app_context():
        assert OfficerProfile.get().totp_secret == officer_secret  # the app reads it in the clear
        flask_db.database.close()
    checked = {}
    for path in every_file(instance):
        checked[path] = leaks(path, [officer_secret])
    assert len(checked) >= 3 and not {p: f for p, f in checked.items() if f}
    keyring = crypto.key_file(app)
    assert not keyring.startswith(str(instance) + os.sep)
    if NAME == "sqlite":
        archive = tmp_path / "cadangan.tar.gz"
        result = runner.invoke(args=["backup", "--out", str(archive)])
        assert result.exit_code == 0, result.output
        assert leaks(archive, [officer_secret]) == []
        with open(keyring) as f:
            for line in f:
                if not line.startswith("#"):
                    assert line.strip().encode() not in archive.read_bytes()


def test_a_wrong_or_missing_key_refuses_to_start(app, tmp_path):
    instance = tmp_path / "instance"
    other = tmp_path / "other-keyring"
    crypto.write_keyring(str(other), [os.urandom(32)])
    with pytest.raises(RuntimeError, match="Kunci enkripsi salah"):
        create_app(_config(instance, ENCRYPTION_KEY_FILE=str(other)))
    with pytest.raises(RuntimeError, match="tidak ditemukan"):
        create_app(_config(instance, ENCRYPTION_KEY_FILE=str(tmp_path / "hilang" / "keyring")))
    with pytest.raises(RuntimeError, match="di dalam folder instance"):
        create_app(_config(instance, ENCRYPTION_KEY_FILE=str(instance / "keyring")))
    # The right keyring, given as an environment-style setting, starts.
    with open(crypto.key_file(app)) as f:
        keys = ",".join(line.strip() for line in f if not line.startswith("#"))
    bare = Flask(__name__, instance_path=str(instance))
    bare.config["ENCRYPTION_KEYS"] = keys
    crypto.init_app(bare)
    assert bare.extensions["crypto"].current == app.extensions["crypto"].current


def test_a_changed_file_is_a_404_not_a_500(app):
    make(app)
    citizen = signed_in(app)
    upload(citizen, "ktp", jpeg_with_gps())
    url = photo_url(citizen, "ktp")
    with app.app_context():
        path = uploads.path_of(Photo.get().name)
        flask_db.database.close()
    data = bytearray(Path(path).read_bytes())
    data[-1] ^= 1
    Path(path).write_bytes(bytes(data))
    assert citizen.get(url).status_code == 404


def test_rotation_rewraps_while_an_older_worker_keeps_serving(app, runner, tmp_path, officer_secret):
    make(app)
    citizen = signed_in(app)
    upload(citizen, "ktp", jpeg_with_gps())
    url = photo_url(citizen, "ktp")
    before = citizen.get(url).get_data()
    with app.app_context():
        name = Photo.get().name
        old_id = crypto.keyring().current
        flask_db.database.close()
    # The keyring as a worker started before the rotation holds it.
    worker_ring = app.extensions["crypto"]
    result = runner.invoke(args=["kunci", "putar"])
    assert result.exit_code == 0, result.output
    assert "0 masih pada kunci lama" in result.output
    with app.app_context():
        ring = crypto.keyring()
        assert ring.current != old_id and old_id in ring.keys
        assert crypto.sealed_with(Path(uploads.path_of(name)).read_bytes()) == ring.current
        assert OfficerProfile.get().totp_secret == officer_secret
        flask_db.database.close()
    app.extensions["crypto"] = worker_ring
    with app.app_context():
        assert uploads.read(name) == before  # it picks up the new key without a restart
        assert crypto.keyring().current != old_id
        flask_db.database.close()
    retired = runner.invoke(args=["kunci", "pensiunkan"])
    assert retired.exit_code == 0, retired.output
    assert citizen.get(url).get_data() == before
    with app.app_context():
        assert list(crypto.keyring().keys) == [crypto.keyring().current]
        assert pyotp.TOTP(OfficerProfile.get().totp_secret).now()
        flask_db.database.close()


def test_migration_seals_totp_secrets_stored_before(app, officer_secret):
    from webapp.migrations import _migrator, m002_sealed_totp_secrets

    with app.app_context():
        db = flask_db.database
        db.execute_sql(f"UPDATE officer_profile SET totp_secret = {db.param}", (officer_secret,))  # noqa: S608
        m002_sealed_totp_secrets(db, _migrator(db))
        raw = db.execute_sql("SELECT totp_secret FROM officer_profile").fetchone()[0]
        assert raw.startswith("enc:") and officer_secret not in raw
        assert OfficerProfile.get().totp_secret == officer_secret
        db.close()
