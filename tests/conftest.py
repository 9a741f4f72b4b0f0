"""Fixtures: an app on its own database (a clone of one prepared per session
with the whole country's regions and a small synthetic registry; SQLite or
PostgreSQL, see dbbackend.py), a client, a CLI runner and helpers to fill the
lookup form."""

import os
import re

import pytest

from webapp import create_app
from webapp.captcha.media import record_voices
from webapp.db import close_all, flask_db
from webapp.migrations import create_schema
from webapp.registry.demo import Generator
from webapp.registry.regions import load_regions

from .dbbackend import backend

pytest_plugins = ["tests.logscan"]

CAPTCHA = "24680"
SECRET = "test-secret-key-not-for-production"


def _config(instance, **extra):
    instance = str(instance)
    config = {
        "TESTING": True,
        "SECRET_KEY": SECRET,
        "INSTANCE_PATH": instance,
        # Given explicitly, as a shared (PostgreSQL/Redis) installation must:
        # beside the instance folder, outside it and its backups.
        "ENCRYPTION_KEY_FILE": os.path.join(os.path.dirname(instance.rstrip(os.sep)),
                                            os.path.basename(instance.rstrip(os.sep)) + "-keys", "keyring"),
        "CAPTCHA_TEST_ANSWER": CAPTCHA,
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": True,
    }
    config.update(extra)
    return config


@pytest.fixture(scope="session")
def template_instance(tmp_path_factory):
    """An instance folder whose database holds every region and a registry
    of 300 synthetic households, built once per test session."""
    instance = tmp_path_factory.mktemp("template-instance")
    voices = instance / "captcha-voices"
    app = create_app(_config(instance, **backend.template_config(instance)))
    with app.app_context():
        create_schema()
        load_regions()
        Generator(seed=7).run(300)
        record_voices(str(voices))
        backend.finish_template(flask_db.database)
        close_all()
    return instance


@pytest.fixture
def app(template_instance, tmp_path, request):
    """The app on a private copy of the prepared database. Mark a test with
    @pytest.mark.app_config(NAME=value) to change settings before start."""
    instance = tmp_path / "instance"
    instance.mkdir()
    database = backend.clone(template_instance, instance)
    marker = request.node.get_closest_marker("app_config")
    extra = marker.kwargs if marker else {}
    app = create_app(_config(instance, CAPTCHA_VOICES_DIR=str(template_instance / "captcha-voices"),
                             **database, **extra))
    yield app
    close_all()
    backend.drop(database)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    """An app context with the database open, for arranging and asserting."""
    with app.app_context():
        yield flask_db.database


def form_fields(html):
    """The CSRF token and captcha token of a rendered form."""
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html)
    token = re.search(r'name="captcha_token" value="([^"]+)"', html)
    return (csrf.group(1) if csrf else None), (token.group(1) if token else None)


class Lookup:
    """Fills and sends the Cek Bansos form like a person would."""

    def __init__(self, client):
        self.client = client

    def fresh(self, path="/"):
        html = self.client.get(path).get_data(as_text=True)
        return form_fields(html)

    def by_name(self, desa, name, captcha=CAPTCHA, headers=None, **extra):
        csrf, token = self.fresh()
        parts = desa.split(".")
        data = {"csrf_token": csrf, "captcha_token": token, "captcha": captcha, "mode": "nama",
                "provinsi": parts[0], "kabupaten": ".".join(parts[:2]),
                "kecamatan": ".".join(parts[:3]), "desa": desa, "nama": name}
        data.update(extra)
        return self.client.post("/", data=data, headers=headers or {})

    def by_nik(self, nik, captcha=CAPTCHA):
        csrf, token = self.fresh("/?mode=nik")
        return self.client.post("/", data={"csrf_token": csrf, "captcha_token": token,
                                           "captcha": captcha, "mode": "nik", "nik": nik})


@pytest.fixture
def lookup(client):
    return Lookup(client)


@pytest.fixture
def registry_person(db):
    """A synthetic person who receives at least one program this quarter."""
    from webapp.registry.demo import examples
    from webapp.registry.models import Person

    rows = examples(limit=1)
    assert rows, "the test registry has no recipient in the anchor kecamatan"
    name, nik, desa_code, _desa_name = rows[0]
    return Person.get(Person.nik == nik)


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 (aiosmtpd): `.port`, `.messages`.
    Point an app at it with `app.config.update(smtp_app_config(server))`
    (tests/smtp.py)."""
    from .smtp import running_smtp_server

    with running_smtp_server() as server:
        yield server


@pytest.fixture
def mail_outbox(app):
    """Mail the app kept in its outbox table (the default without
    SMTP_HOST): `.messages` parsed, oldest first; `.last()`; `.clear()`."""
    from .smtp import Outbox

    return Outbox(app)


PASSWORD = "kuda lari di sawah hijau"


def synthetic_nik(born="150890", serial="0007", kecamatan="327606"):
    """A structurally valid NIK for a made-up person (women: day + 40)."""
    return f"{kecamatan}{born}{serial}"


def registration_data(csrf, **changes):
    """A complete, valid registration for a synthetic person in Beji, Depok."""
    from faker import Faker

    fake = Faker("id_ID")
    fake.seed_instance(3)
    data = {"csrf_token": csrf, "nik": synthetic_nik(), "no_kk": "3276060101100011",
            "nama": fake.name(), "alamat": "Jl. Melati No. 5", "rt": "4", "rw": "12",
            "provinsi": "32", "kabupaten": "32.76", "kecamatan": "32.76.06", "desa": "32.76.06.1001",
            "hp": "0812-3456-7890", "email": "warga.contoh@example.com",
            "password": PASSWORD, "setuju": "y"}
    data.update(changes)
    return data


def new_account(state="aktif", nik=None, email="warga.contoh@example.com", password=PASSWORD):
    """An account made through the service (inside an app context)."""
    from webapp.akun.models import Account
    from webapp.akun.services import register_account

    account = register_account(nik or synthetic_nik(), "3276060101100011", "Warga Contoh", "Jl. Melati 5",
                               "004", "012", "32.76.06.1001", "+6281234567890", email, password)
    Account.update(state=state).where(Account.id == account.id).execute()
    return Account.get_by_id(account.id)


class AkunActions:
    """Registers, signs in and out like a person with a browser would."""

    def __init__(self, client):
        self.client = client

    def csrf(self, path="/akun/masuk"):
        html = self.client.get(path).get_data(as_text=True)
        return form_fields(html)[0]

    def register(self, **changes):
        return self.client.post("/akun/daftar", data=registration_data(self.csrf("/akun/daftar"), **changes))

    def sign_in(self, identity="warga.contoh@example.com", password=PASSWORD, **extra):
        data = {"csrf_token": self.csrf(), "identitas": identity, "password": password}
        data.update(extra)
        return self.client.post("/akun/masuk", data=data)

    def sign_out(self):
        return self.client.post("/akun/keluar", data={"csrf_token": self.csrf("/akun")})


@pytest.fixture
def akun(client):
    return AkunActions(client)


def pytest_terminal_summary(terminalreporter):
    """Says which real services this run used, so a CI log shows that the
    PostgreSQL, Redis, SMTP and browser paths ran rather than skipped."""
    passed = [r.nodeid for r in terminalreporter.stats.get("passed", [])]
    skipped = len(terminalreporter.stats.get("skipped", []))

    def count(*parts):
        return sum(1 for nodeid in passed if any(p in nodeid for p in parts))

    backend = os.environ.get("TEST_DATABASE", "sqlite")
    where = os.environ.get("TEST_PG_URL", "") if backend == "postgresql" else "SQLite files"
    terminalreporter.write_line(
        f"Real services: database {backend} ({where}): {len(passed)} passed, {skipped} skipped; "
        f"Redis at 127.0.0.1:6379: {count('test_redis.py')} passed; "
        f"SMTP (aiosmtpd): {count('test_mail.py', 'test_akun_codes.py')} passed; "
        f"Chromium: {count('tests/browser/')} passed.")


@pytest.fixture(scope="session")
def kannel(tmp_path_factory):
    """One real Kannel (bearerbox + smsbox + fakesmsc) for the session (see
    tests/kannel.py). Missing Kannel skips, except under CI=true."""
    from . import kannel as gateway

    if not gateway.available():
        if os.environ.get("CI") == "true":
            pytest.fail(gateway.missing_message())
        pytest.skip(gateway.missing_message())
    running = gateway.Gateway(tmp_path_factory.mktemp("kannel")).start()
    yield running
    running.stop()
