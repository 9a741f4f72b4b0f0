"""Encryption at rest (issue 14): what a thief copying instance/, the disk or
a backup gets is ciphertext; the right keyring is needed to start; keys
rotate with `flask kunci` while the site keeps serving."""

import io
import os
import re
from datetime import datetime
from pathlib import Path

import pyotp
import pytest
from flask import Flask
from PIL import Image

from webapp import clock, create_app, crypto, uploads
from webapp.akun.models import Photo
from webapp.db import flask_db
from webapp.petugas.models import OfficerProfile

from .conftest import _config
from .dbbackend import NAME
from .test_akun_photos import jpeg_with_gps, make, photo_url, signed_in, upload
from .test_petugas_support import DESA, OFFICER_PASSWORD

# A JPEG's start with its first segment's header (JFIF/Exif, or a quantisation
# table): the bare 4-byte marker turns up by chance in megabytes of sealed,
# random-looking data (a test run failed on a sealed backup that way).
JPEG_START = re.compile(rb"\xff\xd8\xff(?:[\xe0-\xef]..(?:JFIF|Exif)\x00|\xdb\x00[\x43\x84])", re.S)
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


# What else a thief must not read at rest: a code mail's recipient, code and
# body (in the outbox table, and kept in outbox/pending/ while the queue is
# down), an enrolment secret not yet confirmed and an import file's NIK.
CODE = "739204"
MAIL_TO = "penerima.rahasia@example.com"
MAIL_BODY = f"Kode konfirmasi Anda {CODE}. Jangan berikan kepada siapa pun"
PENDING_TO = "tertahan.rahasia@example.com"
PENDING_CODE = "518637"
IMPORT_NIK = "3276064107990077"


def contoh_impor():
    raw = (Path(__file__).parent.parent / "docs" / "contoh-impor.csv").read_bytes()
    assert b"3276061505700011" in raw
    return raw.replace(b"3276061505700011", IMPORT_NIK.encode())


def keep_everything_sealable(app, monkeypatch):
    """Puts one of each at rest; returns the pending enrolment secret."""
    from webapp import mail, tasks
    from webapp.akun.models import Account
    from webapp.petugas import importer, officers

    with app.test_request_context():
        mail.send_mail(MAIL_TO, "Kode konfirmasi", MAIL_BODY)  # no SMTP_HOST: kept in the outbox
        with monkeypatch.context() as down:
            def unreachable(*_args, **_kwargs):
                raise ConnectionError("queue down")
            down.setattr(tasks, "enqueue", unreachable)
            assert mail.send_mail(PENDING_TO, "Kode", f"Kode Anda {PENDING_CODE}") is False
        officer = Account.get(Account.email == "op@contoh.test")
        row = officers.enrolment(officers.reset_totp(None, officer))
        pending_secret, _qr = officers.offer_secret(row)
        app.config["HUEY_IMMEDIATE"] = False
        app.extensions["huey_tasks"]["petugas_import"] = lambda job_id: None  # queued, not run
        importer.start_job(officer, contoh_impor())
        assert os.listdir(mail.pending_dir())
        flask_db.database.close()
    return pending_secret


def test_instance_and_backup_hold_no_photo_and_no_totp_secret(app, runner, tmp_path, officer_secret,
                                                             monkeypatch):
    from webapp.mail import OutboxMail
    from webapp.petugas.models import ImportUpload, OfficerEnrolment

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
    pending_secret = keep_everything_sealable(app, monkeypatch)
    with app.app_context():  # ... and these too
        assert any(MAIL_BODY.encode() in bytes(m.raw) for m in OutboxMail.select())
        offered = OfficerEnrolment.get(OfficerEnrolment.pending_secret.is_null(False))
        assert offered.pending_secret == pending_secret
        assert IMPORT_NIK.encode() in bytes(ImportUpload.get().data)
        flask_db.database.close()
    known = [officer_secret, pending_secret, CODE, MAIL_TO, MAIL_BODY, PENDING_TO, PENDING_CODE, IMPORT_NIK]
    checked = {}
    for path in every_file(instance):
        checked[path] = leaks(path, known)
    assert len(checked) >= 4 and not {p: f for p, f in checked.items() if f}
    keyring = crypto.key_file(app)
    assert not keyring.startswith(str(instance) + os.sep)
    if NAME == "sqlite":
        archive = tmp_path / "cadangan.tar.gz"
        result = runner.invoke(args=["backup", "--out", str(archive)])
        assert result.exit_code == 0, result.output
        assert leaks(archive, known) == []
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


def test_migration_seals_enrolments_outbox_and_imports_stored_before(app, db, officer_secret):
    """An upgraded installation: rows written plain before sealing are sealed
    by `flask init-db` (m014); the app reads them as before."""
    from webapp.mail import OutboxMail
    from webapp.migrations import _migrator, m014_sealed_enrolments_mail_imports
    from webapp.petugas.models import ImportJob, ImportUpload, OfficerEnrolment

    raw_mail = mail_bytes(MAIL_TO, MAIL_BODY)
    officer = OfficerProfile.get().account
    job = ImportJob.create(officer_id=officer.id, total=2)
    enrolment = OfficerEnrolment.create(account=officer, token_hash="x" * 64, purpose="reset",
                                        expires_at=datetime(2099, 1, 1))
    p = db.param
    db.execute_sql(f"INSERT INTO mail_outbox (created_at, undelivered, raw) VALUES ({p}, {p}, {p})",  # noqa: S608
                   (clock.utcnow(), False, raw_mail))
    db.execute_sql(f"INSERT INTO import_upload (job_id, data) VALUES ({p}, {p})", (job.id, contoh_impor()))  # noqa: S608
    db.execute_sql(f"UPDATE officer_enrolment SET pending_secret = {p} WHERE id = {p}",  # noqa: S608
                   ("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", enrolment.id))
    m014_sealed_enrolments_mail_imports(db, _migrator(db))
    stored = db.execute_sql("SELECT raw FROM mail_outbox").fetchone()[0]
    assert crypto.is_sealed(bytes(stored)) and MAIL_BODY.encode() not in bytes(stored)
    stored = db.execute_sql("SELECT data FROM import_upload").fetchone()[0]
    assert crypto.is_sealed(bytes(stored)) and IMPORT_NIK.encode() not in bytes(stored)
    stored = db.execute_sql("SELECT pending_secret FROM officer_enrolment").fetchone()[0]
    assert stored.startswith("enc:") and "JBSWY3DP" not in stored
    assert bytes(OutboxMail.get().raw) == raw_mail
    assert bytes(ImportUpload.get().data) == contoh_impor()
    assert OfficerEnrolment.get_by_id(enrolment.id).pending_secret == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    # Run again (another host's init-db): nothing sealed twice.
    m014_sealed_enrolments_mail_imports(db, _migrator(db))
    assert bytes(OutboxMail.get().raw) == raw_mail


def mail_bytes(to, body):
    return f"To: {to}\r\nSubject: Kode\r\n\r\n{body}\r\n".encode()


def test_mail_kept_plain_in_pending_is_sealed_at_start_and_still_sent(app, tmp_path):
    from webapp import mail

    with app.app_context():
        folder = mail.pending_dir()
    os.makedirs(folder, exist_ok=True)
    plain = Path(folder) / "20260101-000000-000000-abcd1234.eml"
    plain.write_bytes(mail_bytes(PENDING_TO, f"Kode Anda {PENDING_CODE}"))
    restarted = create_app(_config(tmp_path / "instance", **{k: app.config[k] for k in ("DATABASE_URL",)
                                                             if k in app.config}))
    data = plain.read_bytes()
    assert crypto.is_sealed(data) and PENDING_CODE.encode() not in data
    queued = []
    with restarted.app_context():
        restarted.extensions["huey_tasks"]["deliver_mail"] = queued.append
        assert mail.flush_pending() == 1
        flask_db.database.close()
    assert queued == [mail_bytes(PENDING_TO, f"Kode Anda {PENDING_CODE}")] and not plain.exists()


def test_rotation_rewraps_enrolments_outbox_imports_and_kept_mail(app, runner, officer_secret, monkeypatch):
    from webapp import mail

    keep_everything_sealable(app, monkeypatch)
    with app.app_context():
        old = crypto.keyring().current
        flask_db.database.close()
    result = runner.invoke(args=["kunci", "putar"])
    assert result.exit_code == 0 and "0 masih pada kunci lama" in result.output, result.output
    with app.app_context():
        ring = crypto.keyring()
        assert ring.current != old
        db = flask_db.database
        for table, column, kind in crypto.SEALED_COLUMNS:
            sql = f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL"  # noqa: S608
            values = [v for (v,) in db.execute_sql(sql)]
            assert values and all(crypto.column_key_id(kind, v) == ring.current for v in values), table
        [kept] = mail.pending_files(app.instance_path)
        assert crypto.sealed_with(Path(kept).read_bytes()) == ring.current
        flask_db.database.close()
    assert runner.invoke(args=["kunci", "pensiunkan"]).exit_code == 0
    with app.app_context():
        from webapp.mail import OutboxMail

        assert any(MAIL_BODY.encode() in bytes(m.raw) for m in OutboxMail.select())
        flask_db.database.close()


# -- a shared installation needs its keyring given ---------------------------------
@pytest.mark.parametrize("shared", [
    {"DATABASE_URL": "postgresql://app@127.0.0.1:5432/cekbansos"},
    {"REDIS_URL": "redis://127.0.0.1:6379/15"},
])
def test_a_shared_installation_refuses_to_start_without_a_keyring(tmp_path, shared):
    instance = tmp_path / "instance"
    with pytest.raises(RuntimeError) as refused:
        create_app({"INSTANCE_PATH": str(instance), "SECRET_KEY": "k" * 64, **shared})
    said = str(refused.value)
    assert "Kunci enkripsi belum diatur" in said and "ENCRYPTION_KEY_FILE" in said and "semua host" in said
    assert not (tmp_path / "instance-keys").exists(), "no per-host keyring was made"


def test_a_shared_installation_starts_with_a_key_file_or_keys(tmp_path):
    redis_url = {"REDIS_URL": "redis://127.0.0.1:6379/15", "SECRET_KEY": "k" * 64}
    a = create_app({"INSTANCE_PATH": str(tmp_path / "a"), **redis_url,
                    "ENCRYPTION_KEY_FILE": str(tmp_path / "keys" / "keyring")})
    keys = crypto.encode_key(os.urandom(32))
    b = create_app({"INSTANCE_PATH": str(tmp_path / "b"), **redis_url, "ENCRYPTION_KEYS": keys})
    assert a.extensions["crypto"].path and b.extensions["crypto"].path is None


def test_a_single_sqlite_host_still_makes_its_own_keyring(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "k" * 64})
    assert (tmp_path / "instance-keys" / "keyring").exists()
    assert app.extensions["crypto"].current
