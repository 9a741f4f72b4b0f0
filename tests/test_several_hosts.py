"""Several hosts on one database (and one Redis): what each host used to keep
for itself now lives where every host sees it. "Another host" here is a second
app with its own instance folder on the same database (SQLite file or
PostgreSQL, per TEST_DATABASE); tests/test_two_hosts* runs real servers."""

import json
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from peewee import IntegrityError

from webapp import clock, create_app, crypto, storage, tasks, uploads, voices
from webapp.akun.models import PHOTOS, Photo
from webapp.db import atomic_write, close_all, flask_db

from .conftest import SECRET, AkunActions, _config, new_account
from .dbbackend import backend
from .test_akun_photos import jpeg_with_gps, photo_url, upload

REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture
def other_host(app, tmp_path):
    """Makes a second app: its own instance folder, the first one's database.
    Afterwards its connections close and the first app's database is the
    current one again (for the app fixture's own cleanup)."""
    made = []

    def make(*, instance_name="host-b", **extra):
        host = _other_host(app, tmp_path / instance_name, **extra)
        made.append(host)
        return host

    yield make
    for host in made:
        close_all(host.config["DATABASE"])
    flask_db.database.initialize(app.config["DATABASE"])


def _other_host(app, instance, **extra):
    instance.mkdir(exist_ok=True)
    if backend.name == "sqlite":
        database = {"SQLITE_FILENAME": os.path.join(app.instance_path, app.config["SQLITE_FILENAME"])}
    else:
        database = {"DATABASE_URL": app.config["DATABASE_URL"]}
    settings = {k: app.config[k] for k in ("UPLOAD_STORAGE", "CAPTCHA_VOICES_DIR") if k in app.config}
    # Every host opens what another sealed: the same keyring (webapp.crypto).
    settings["ENCRYPTION_KEY_FILE"] = crypto.key_file(app)
    settings.update(database, **extra)
    return create_app(_config(instance, **settings))


# -- 1. SECRET_KEY --------------------------------------------------------------
@pytest.mark.parametrize("shared", [
    {"DATABASE_URL": "postgresql://app@127.0.0.1:5432/cekbansos"},
    {"DATABASE_URL": "postgresql+pool://app@127.0.0.1:5432/cekbansos"},
    {"REDIS_URL": REDIS},
])
def test_a_shared_installation_refuses_to_start_without_secret_key(tmp_path, monkeypatch, shared):
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError) as refused:
        create_app({"INSTANCE_PATH": str(tmp_path), **shared})
    said = str(refused.value)
    assert "SECRET_KEY belum diatur" in said and "semua host" in said
    assert not (tmp_path / "secret_key").exists(), "no per-host key was made"


def test_a_single_sqlite_host_still_makes_its_own_key(tmp_path, monkeypatch):
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert len(app.config["SECRET_KEY"]) == 64 and (tmp_path / "secret_key").exists()
    # A configured key is used as given, with PostgreSQL or Redis too.
    given = create_app({"INSTANCE_PATH": str(tmp_path / "b"), "SECRET_KEY": SECRET, "REDIS_URL": REDIS,
                        "ENCRYPTION_KEY_FILE": str(tmp_path / "keys" / "keyring")})
    assert given.config["SECRET_KEY"] == SECRET


def test_the_refusal_reaches_an_operator_starting_gunicorn_s_app(tmp_path):
    """What `flask run`/gunicorn show: the message, in Bahasa Indonesia."""
    env = {**os.environ, "FLASK_REDIS_URL": REDIS, "FLASK_INSTANCE_PATH": str(tmp_path)}
    env.pop("FLASK_SECRET_KEY", None)
    code = ("from webapp import create_app; import os; "
            "create_app({'INSTANCE_PATH': os.environ['FLASK_INSTANCE_PATH']})")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "SECRET_KEY belum diatur" in result.stderr


# -- 2. file storage ----------------------------------------------------------------
@pytest.mark.parametrize("kind", storage.BACKENDS)
def test_both_backends_keep_bytes_whole_and_stream_them_in_chunks(app, db, kind):
    app.config["UPLOAD_STORAGE"] = kind
    app.extensions.pop("storage")
    data = os.urandom(storage.CHUNK * 2 + 1234)
    name = uploads.store(data, "usulan")
    backend_ = storage.backend()
    assert backend_.name == kind
    sealed = backend_.get(name)  # encrypted at rest (webapp.crypto), whatever the backend
    assert crypto.is_sealed(sealed) and uploads.read(name) == data and backend_.size(name) == len(sealed)
    pieces = list(backend_.chunks(name))
    assert b"".join(pieces) == sealed and [len(c) for c in pieces[:-1]] == [storage.CHUNK] * (len(pieces) - 1)
    with app.test_request_context():
        response = uploads.send_image(name)
        assert response.headers["Cache-Control"] == "private, no-store"
        assert response.headers["Content-Length"] == str(len(data))
        assert b"".join(response.response) == data
    uploads.delete(name)
    with pytest.raises(FileNotFoundError):
        uploads.read(name)
    assert (kind == "database") != os.path.isdir(os.path.join(app.instance_path, "uploads", "usulan"))


@pytest.mark.app_config(UPLOAD_STORAGE="database")
def test_database_files_commit_and_roll_back_with_their_row(app, db):
    account = new_account()
    with uploads.changes() as files, atomic_write("test"):
        kept = files.store(b"foto ktp", "akun")
        Photo.create(account=account, kind="ktp", name=kept)
    with pytest.raises(IntegrityError), uploads.changes() as files, atomic_write("test"):
        lost = files.store(b"foto kedua", "akun")
        Photo.create(account=account, kind="ktp", name=lost)  # (account, kind) is unique
    assert uploads.read(kept) == b"foto ktp"
    with pytest.raises(FileNotFoundError):
        uploads.read(lost)  # rolled back with its row: no orphan
    with pytest.raises(RuntimeError), uploads.changes() as files, atomic_write("test"):
        Photo.delete().execute()
        files.delete(kept)
        raise RuntimeError("worker killed before the commit")
    assert uploads.read(kept) == b"foto ktp" and Photo.select().count() == 1  # neither went
    with uploads.changes() as files, atomic_write("test"):
        Photo.delete().execute()
        files.delete(kept)
    assert not storage.StoredFile.select().exists()


@pytest.mark.app_config(UPLOAD_STORAGE="database")
def test_a_photo_uploaded_on_one_host_shows_on_the_other_only_to_its_owner(app, other_host, tmp_path):
    with app.app_context():
        new_account(PHOTOS)
        flask_db.database.close()
    host_a = app.test_client()
    assert AkunActions(host_a).sign_in(identity="warga.contoh@example.com").status_code == 302
    assert upload(host_a, "ktp", jpeg_with_gps()).status_code in (200, 302, 303)
    url = photo_url(host_a, "ktp")
    other = other_host()
    host_b = other.test_client()
    host_b.set_cookie("session", host_a.get_cookie("session").value)  # the proxy sent the next request to B
    response = host_b.get(url)
    assert response.status_code == 200 and response.data[:3] == b"\xff\xd8\xff"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert other.test_client().get(url).status_code in (302, 303, 404)  # not signed in: not served
    assert not os.path.exists(os.path.join(app.instance_path, "uploads")), "nothing on host A's disk"


@pytest.mark.app_config(UPLOAD_STORAGE="database")
def test_the_sweep_removes_database_files_no_row_names(app, db):
    old = uploads.store(b"yatim", "akun")
    fresh = uploads.store(b"baru", "akun")
    storage.StoredFile.update(created_at=clock.utcnow() - timedelta(hours=2)).where(
        storage.StoredFile.name == old).execute()
    assert uploads.sweep_orphans(set()) == 1
    assert uploads.read(fresh) == b"baru"
    with pytest.raises(FileNotFoundError):
        uploads.read(old)


def test_an_unknown_storage_is_refused_at_start(tmp_path):
    with pytest.raises(RuntimeError, match="UPLOAD_STORAGE harus"):
        create_app(_config(tmp_path, UPLOAD_STORAGE="s3"))


@pytest.mark.skipif(backend.name != "sqlite", reason="flask backup is for SQLite; pg_dump carries the table")
@pytest.mark.app_config(UPLOAD_STORAGE="database")
def test_flask_backup_carries_database_files(app, runner, db, tmp_path):
    import sqlite3
    import tarfile

    name = uploads.store(b"isi foto", "akun")
    archive = tmp_path / "cadangan.tar.gz"
    assert runner.invoke(args=["backup", "--out", str(archive)]).exit_code == 0
    plain = tmp_path / "cadangan-terbuka.tar.gz"  # the archive is sealed (webapp.crypto)
    with app.app_context(), open(archive, "rb") as src, open(plain, "wb") as out:
        crypto.unseal_stream(src, out)
    with tarfile.open(plain) as tar:
        tar.extract("database.sqlite3", tmp_path, filter="data")
    copy = sqlite3.connect(tmp_path / "database.sqlite3")
    stored = copy.execute("SELECT data FROM stored_file WHERE name = ?", (name,)).fetchone()[0]
    with app.app_context():
        assert crypto.unseal(stored) == b"isi foto"  # the photo travels sealed
    copy.close()


# -- 3. the import file ---------------------------------------------------------------
@pytest.fixture
def import_officer(db):
    from webapp.akun.models import Account

    account = new_account("aktif", nik="3276061508900101", email="petugas.impor@example.com")
    Account.update(role="pusat").where(Account.id == account.id).execute()
    return Account.get_by_id(account.id)


def test_an_import_started_on_one_host_runs_on_another(app, other_host, db, import_officer, tmp_path):
    from webapp.petugas import importer
    from webapp.petugas.models import ImportJob, ImportUpload

    raw = (Path(__file__).parent.parent / "docs" / "contoh-impor.csv").read_bytes()
    app.config["HUEY_IMMEDIATE"] = False
    with app.test_request_context():
        # Queued, not run: the web host keeps the file in the database only.
        app.extensions["huey_tasks"]["petugas_import"] = lambda job_id: None
        job = importer.start_job(import_officer, raw)
    assert bytes(ImportUpload.get(ImportUpload.job == job.id).data) == raw
    assert not os.path.exists(os.path.join(app.instance_path, "impor"))
    consumer = other_host()
    with consumer.app_context():
        report = importer.run_job(job.public_id)
    done = ImportJob.get_by_id(job.id)
    assert report is not None and done.status in ("selesai", "gagal") and done.total == report.total
    assert not ImportUpload.select().exists(), "the input goes once the job has ended"


def test_a_job_whose_input_is_gone_ends_failed_with_a_message(app, db, import_officer):
    from webapp.petugas import importer
    from webapp.petugas.models import ImportJob

    waiting = ImportJob.create(officer_id=import_officer.id, total=3)
    assert importer.run_job(waiting.public_id) is None
    job = ImportJob.get_by_id(waiting.id)
    assert job.status == "gagal" and job.finished_at
    [[line, message]] = json.loads(job.report)
    assert "Berkas impor tidak ditemukan" in message
    # One the consumer never picked up: the status page ends it instead of polling forever.
    stuck = ImportJob.create(officer_id=import_officer.id, total=3, status="berjalan")
    assert importer.settle(stuck).status == "gagal"
    finished = ImportJob.create(officer_id=import_officer.id, total=3, status="selesai")
    assert importer.settle(finished).status == "selesai"


# -- 4. the queue ------------------------------------------------------------------------
@pytest.mark.skipif(backend.name != "postgresql", reason="the SQL queue is for PostgreSQL without Redis")
@pytest.mark.app_config(HUEY_IMMEDIATE=False)
def test_with_postgresql_only_one_queue_serves_every_host(app, other_host, tmp_path):
    huey = app.extensions["huey"]
    assert type(huey.storage).__name__ == "SqlStorage" and tasks.storage_kind(app) == "sql"
    consumer = other_host(HUEY_IMMEDIATE=False).extensions["huey"]
    huey.flush()
    with app.app_context():
        tasks.enqueue("petugas_import", "tidak-ada")
    assert consumer.pending_count() == 1  # the other host's consumer sees it
    task = consumer.dequeue()
    assert task.name.endswith("petugas_import") and consumer.pending_count() == 0
    with app.app_context():
        assert tasks.queue_reachable()


@pytest.mark.app_config(HUEY_IMMEDIATE=False, REDIS_URL=REDIS)
def test_with_redis_the_queue_is_redis(app):
    assert type(app.extensions["huey"]).__name__ == "RedisHuey"
    with app.app_context():
        assert tasks.queue_reachable()


@pytest.mark.app_config(HUEY_IMMEDIATE=False, REDIS_URL="redis://127.0.0.1:1/0")
def test_an_unreachable_queue_is_reported(app):
    with app.app_context():
        assert not tasks.queue_reachable()


def test_purge_and_sweep_are_scheduled(app):
    huey = app.extensions["huey"]
    due = {t.name for t in huey.read_periodic(datetime(2026, 12, 2, 2, 30))}
    assert any(n.endswith("periodic_purge") for n in due)
    due = {t.name for t in huey.read_periodic(datetime(2026, 12, 2, 3, 15))}
    assert any(n.endswith("periodic_sweep_uploads") for n in due)
    # At noon only the every-minute hand-off of mail kept while Redis was down.
    assert {t.name.rsplit(".", 1)[-1] for t in huey.read_periodic(datetime(2026, 12, 2, 12, 0))} == {
        "flush_pending_mail"}


def test_a_periodic_job_runs_once_per_day_however_many_schedulers(app, other_host, tmp_path, monkeypatch):
    ran = []
    monkeypatch.setitem(tasks.PERIODIC, "sweep_uploads",
                        (tasks.PERIODIC["sweep_uploads"][0], tasks._daily, lambda: ran.append(1)))
    other = other_host()
    now = datetime(2026, 12, 2, 3, 15)
    assert tasks.run_periodic(app, "sweep_uploads", now)
    assert not tasks.run_periodic(other, "sweep_uploads", now + timedelta(seconds=40))
    assert tasks.run_periodic(other, "sweep_uploads", now + timedelta(days=1))
    assert ran == [1, 1]


def test_the_real_purge_runs_from_the_schedule_and_is_audited(app, db):
    from webapp.petugas.models import AuditLog

    assert tasks.run_periodic(app, "purge", datetime(2026, 12, 3, 2, 30))
    assert AuditLog.select().where(AuditLog.action == "purge").exists()


@pytest.mark.parametrize("settings, needs", [({}, 0), ({"FLASK_TESTING": "true"}, 1),
                                             ({"FLASK_HUEY_IMMEDIATE": "true"}, 1)])
def test_make_run_starts_a_consumer_only_when_jobs_are_queued(tmp_path, settings, needs):
    env = {**os.environ, "FLASK_APP": "wsgi", "FLASK_INSTANCE_PATH": str(tmp_path), **settings}
    for name in ("FLASK_TESTING", "FLASK_HUEY_IMMEDIATE", "FLASK_DATABASE_URL", "FLASK_REDIS_URL"):
        if name not in settings:
            env.pop(name, None)
    flask = os.path.join(os.path.dirname(sys.executable), "flask")
    result = subprocess.run([flask, "antrean", "--perlu-konsumen"], env=env, capture_output=True, text=True,
                            timeout=60, cwd=os.path.dirname(os.path.dirname(__file__)))
    assert result.returncode == needs, result.stderr
    makefile = (Path(__file__).parent.parent / "Makefile").read_text()
    assert "flask antrean --perlu-konsumen; then" in makefile


# -- 5. the outbox -------------------------------------------------------------------------
def test_mail_kept_by_one_host_s_consumer_is_seen_from_another(app, other_host, tmp_path, runner):
    from webapp import mail

    from .smtp import Outbox

    with app.app_context():
        mail.send_mail("warga@example.org", "Kode", "Kode Anda 123456")
    other = other_host()
    assert [m["Subject"] for m in Outbox(other).messages] == ["Kode"]
    assert not os.path.exists(os.path.join(app.instance_path, "outbox"))
    result = other.test_cli_runner().invoke(args=["outbox", "--simpan", str(tmp_path / "eml")])
    assert result.exit_code == 0 and "Outbox: 1 pesan" in result.output
    [saved] = os.listdir(tmp_path / "eml")
    assert saved.endswith(".eml") and os.stat(tmp_path / "eml" / saved).st_mode & 0o077 == 0


def test_undelivered_mail_is_resent_from_the_outbox(app, smtp_server):
    from webapp import mail

    from .smtp import Outbox

    with app.app_context():
        mail.write_outbox(mail.build_message("warga@example.org", "Tertunda", "isi").as_bytes(),
                          undelivered=True)
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port)
    result = app.test_cli_runner().invoke(args=["outbox", "--kirim"])
    assert result.exit_code == 0 and "1 pesan terkirim ulang" in result.output
    assert [m["Subject"] for m in smtp_server.messages] == ["Tertunda"] and not Outbox(app).rows()


# -- 6. captcha voices ----------------------------------------------------------------------
def test_a_host_without_voices_takes_them_from_the_database(app, other_host, tmp_path, runner):
    source = app.config["CAPTCHA_VOICES_DIR"]
    with app.app_context():
        assert voices.sync(source) == "published"
    bare = tmp_path / "voices-b"
    other = other_host(CAPTCHA_VOICES_DIR=str(bare))
    # Host A's page offers audio; host B, which never recorded, speaks it.
    widget = app.test_client().get("/captcha/baru?jenis=audio").get_data(as_text=True)
    clip_url = re.search(r'src="(/captcha/[^"]+\.mp3)"', widget).group(1)
    response = other.test_client().get(clip_url)
    assert response.status_code == 200 and response.data[0] == 0xFF  # an MPEG audio frame
    assert voices.ready(str(bare))
    assert sorted(os.listdir(bare / "9")) == sorted(os.listdir(os.path.join(source, "9")))
    assert sorted(os.listdir(bare / "intro")) == sorted(os.listdir(os.path.join(source, "intro")))
    assert (bare / "3" / "v0.wav").read_bytes() == (Path(source) / "3" / "v0.wav").read_bytes()


def test_setup_fetches_voices_instead_of_recording_them(app, tmp_path):
    with app.app_context():
        voices.publish(app.config["CAPTCHA_VOICES_DIR"])
        recorded = []
        assert voices.sync(str(tmp_path / "v"), record=lambda d: recorded.append(d)) == "fetched"
        assert not recorded and voices.ready(str(tmp_path / "v"))
        assert voices.sync(str(tmp_path / "v")) == "ready"
