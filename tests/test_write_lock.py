"""atomic_write() serialises read-then-write transactions on both backends:
two workers that each read a value and write it back increased never lose an
update (on PostgreSQL, READ COMMITTED alone would)."""

import threading
import time

from webapp.db import atomic_write, flask_db
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
                    with atomic_write():
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
