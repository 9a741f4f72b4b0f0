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


def _other_writer_can_write(app):
    """Runs a write transaction from another thread; True when it finished
    within 2 s (it waits forever on a lock held by the hashing thread)."""
    done = threading.Event()

    def write():
        with app.app_context():
            with atomic_write("another-writer"):
                pass
            flask_db.database.close()
        done.set()

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return done.wait(2)


@pytest.fixture
def probe(app, monkeypatch):
    seen = []

    def watching(real):
        def wrapped(*args, **kwargs):
            seen.append(_other_writer_can_write(app))
            return real(*args, **kwargs)
        return wrapped

    monkeypatch.setattr(services, "check_password_hash", watching(services.check_password_hash))
    monkeypatch.setattr(services, "generate_password_hash", watching(services.generate_password_hash))
    return seen


def test_wrong_and_right_passwords_are_compared_outside_the_lock(app, probe):
    with app.app_context():
        account = new_account(ACTIVE)
        probe.clear()
        assert not services.authenticate(account.email, "salah-sekali-123").ok
        assert services.authenticate(account.email, PASSWORD).ok
        assert not services.authenticate("tidak.ada@example.com", "apa saja").ok
    assert probe and all(probe)


def test_registration_hashes_outside_the_lock(app, probe):
    with app.app_context():
        new_account(ACTIVE, nik=synthetic_nik(serial="0042"), email="lain@example.com")
    assert probe and all(probe)


def test_failures_still_lock_after_the_limit(app):
    with app.app_context():
        account = new_account(ACTIVE)
        for _ in range(services.MAX_FAILURES):
            result = services.authenticate(account.email, "salah-sekali-123")
        assert result.locked_until is not None
        assert services.authenticate(account.email, "salah-sekali-123").locked_until is not None
