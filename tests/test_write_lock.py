"""atomic_write() serialises read-then-write transactions on the same object
on both backends: two workers that each read a value and write it back
increased never lose an update (on PostgreSQL, READ COMMITTED alone would).
On PostgreSQL the lock is per object, so writes to unrelated objects run side
by side instead of queueing behind one key for the whole installation."""

import threading
import time

import pytest

from webapp.db import atomic_write, flask_db, is_sqlite, lock_id
from webapp.registry.models import Program


def test_concurrent_read_then_write_loses_nothing(app):
    rounds, workers = 15, 3
    with app.app_context():
        start = Program.get_by_id("PKH").sort
        flask_db.database.close()
    barrier = threading.Barrier(workers)
    failures = []

    def work():
        with app.app_context():
            try:
                barrier.wait()
                for _ in range(rounds):
                    with atomic_write("program:PKH"):
                        seen = Program.get_by_id("PKH").sort
                        time.sleep(0.002)  # widen the window between read and write
                        Program.update(sort=seen + 1).where(Program.code == "PKH").execute()
            except Exception as exc:  # noqa: BLE001 - reported below
                failures.append(repr(exc))
            finally:
                flask_db.database.close()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with app.app_context():
        end = Program.get_by_id("PKH").sort
        Program.update(sort=start).where(Program.code == "PKH").execute()
        flask_db.database.close()
    assert not failures
    assert end - start == rounds * workers


def test_a_write_names_its_objects(app):
    with app.app_context(), pytest.raises(TypeError), atomic_write():
        pass
    assert lock_id("proposal:1") == lock_id("proposal:1") != lock_id("proposal:2")


def _hold_then_try(app, held_key, other_key):
    """Thread A takes `held_key` and keeps it open; thread B then writes
    under `other_key`. Returns (B finished while A still held its lock,
    seconds B waited)."""
    holding, release = threading.Event(), threading.Event()
    result = {}

    def holder():
        with app.app_context():
            try:
                with atomic_write(held_key):
                    Program.update(sort=Program.sort + 1).where(Program.code == "PKH").execute()
                    holding.set()
                    release.wait(10)
            finally:
                flask_db.database.close()

    def other():
        with app.app_context():
            try:
                began = time.monotonic()
                with atomic_write(other_key):
                    Program.update(sort=Program.sort + 1).where(Program.code == "SEMBAKO").execute()
                result["waited"] = time.monotonic() - began
                result["while_held"] = not release.is_set()
            finally:
                flask_db.database.close()

    a = threading.Thread(target=holder)
    a.start()
    assert holding.wait(10)
    b = threading.Thread(target=other)
    b.start()
    b.join(1.5)  # an unrelated write is done well within this
    release.set()
    a.join()
    b.join()
    return result["while_held"], result["waited"]


def test_unrelated_writes_run_side_by_side_on_postgresql(app):
    if is_sqlite(app.config["DATABASE"]):
        pytest.skip("SQLite has one writer for the whole file; the per-object lock is PostgreSQL's")
    while_held, waited = _hold_then_try(app, "proposal:1", "proposal:2")
    assert while_held and waited < 1.0  # not queued behind the other object's transaction
    while_held, waited = _hold_then_try(app, "proposal:1", "proposal:1")
    assert not while_held and waited >= 1.0  # the same object still waits for the commit
