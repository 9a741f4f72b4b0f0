"""Password hashing never holds the write lock (issue 14, item 8): while one
person's password is being compared (scrypt, ~80 ms) or hashed, other writers
go on — on SQLite every worker's writes and on PostgreSQL every sign-in
otherwise waited on it."""

import threading

import pytest

from webapp.akun import services
from webapp.akun.models import ACTIVE
from webapp.db import atomic_write, flask_db

from .conftest import PASSWORD, new_account, synthetic_nik


def _other_writer_can_write(app, keys):
    """Runs a write transaction on the objects `keys` from another thread, on
    its own connection; True when it finished within 2 s (it waits on a lock
    held by the hashing thread). On SQLite any writer waits on another (one
    write lock); on PostgreSQL only one on the same object (advisory lock per
    key), so it must name the objects the sign-in or registration writes."""
    done = threading.Event()

    def write():
        with app.app_context():
            with atomic_write(*keys):
                pass
            flask_db.database.close()
        done.set()

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return done.wait(2)


@pytest.fixture
def probe(app, monkeypatch):
    """While a password is hashed or compared, whether another writer on the
    objects in probe.keys (set by the test) can write. probe.seen: one
    True/False per hash."""

    class Probe:
        keys = ["setup"]  # a hash while arranging the test: not checked
        seen = []

    def watching(real):
        def wrapped(*args, **kwargs):
            Probe.seen.append(_other_writer_can_write(app, Probe.keys))
            return real(*args, **kwargs)
        return wrapped

    monkeypatch.setattr(services, "check_password_hash", watching(services.check_password_hash))
    monkeypatch.setattr(services, "generate_password_hash", watching(services.generate_password_hash))
    return Probe


def sign_in_keys(identifier, account=None):
    """The objects authenticate() writes: the identifier's counter, and the
    account's when it exists."""
    keys = [f"sign-in:{services._throttle_key(identifier)}"]
    return keys + [f"account:{account.id}"] if account else keys


def test_the_probe_waits_on_a_held_lock(app):
    """The check itself contends on this database (SQLite or PostgreSQL):
    a transaction holding the same object's lock makes it wait."""
    with app.app_context():
        keys = sign_in_keys("warga.contoh@example.com")
        with atomic_write(*keys):
            assert not _other_writer_can_write(app, keys)
        assert _other_writer_can_write(app, keys)
        flask_db.database.close()


def test_wrong_and_right_passwords_are_compared_outside_the_lock(app, probe):
    with app.app_context():
        account = new_account(ACTIVE)
        probe.seen.clear()
        probe.keys = sign_in_keys(account.email, account)
        assert not services.authenticate(account.email, "salah-sekali-123").ok
        assert services.authenticate(account.email, PASSWORD).ok
        probe.keys = sign_in_keys(account.nik, account)
        assert services.authenticate(account.nik, PASSWORD).ok
        probe.keys = sign_in_keys("tidak.ada@example.com")
        assert not services.authenticate("tidak.ada@example.com", "apa saja").ok
    assert len(probe.seen) == 4 and all(probe.seen)


def test_registration_hashes_outside_the_lock(app, probe):
    nik = synthetic_nik(serial="0042")
    probe.keys = [f"nik:{nik}"]
    with app.app_context():
        new_account(ACTIVE, nik=nik, email="lain@example.com")
    assert probe.seen and all(probe.seen)


def test_failures_still_lock_after_the_limit(app):
    with app.app_context():
        account = new_account(ACTIVE)
        for _ in range(services.MAX_FAILURES):
            result = services.authenticate(account.email, "salah-sekali-123")
        assert result.locked_until is not None
        assert services.authenticate(account.email, "salah-sekali-123").locked_until is not None
