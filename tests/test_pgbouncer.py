"""The app through a real PgBouncer in transaction mode (README "Several
hosts"): the write lock (a transaction-level advisory lock), files in the
database, the SQL job queue, and repeated statements with
DATABASE_PGBOUNCER (no server-side prepared statements). PostgreSQL runs
only (TEST_DATABASE=postgresql); PgBouncer from Debian (Makefile .make-system)."""

import os
import shutil
import subprocess
import tempfile
import threading
import time

import pytest

from webapp import create_app, tasks, uploads
from webapp.db import atomic_write, close_all, flask_db

from .conftest import _config
from .dbbackend import PG_URL, backend
from .smtp import free_port

pytestmark = pytest.mark.skipif(backend.name != "postgresql", reason="PgBouncer sits in front of PostgreSQL")


@pytest.fixture(scope="module")
def pgbouncer():
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not os.path.exists(binary):
        message = "pgbouncer not installed (apt-get install pgbouncer)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    folder = tempfile.mkdtemp(prefix="pgbouncer-")
    os.chmod(folder, 0o755)  # noqa: S103 - PgBouncer drops root for "nobody", who must read its files
    port = free_port()
    pg_host, pg_port = PG_URL.split("@", 1)[1].split(":")
    with open(os.path.join(folder, "users.txt"), "w") as f:
        f.write('"postgres" ""\n')
    with open(os.path.join(folder, "pgbouncer.ini"), "w") as f:
        f.write(f"""[databases]
* = host={pg_host} port={pg_port}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/users.txt
pool_mode = transaction
default_pool_size = 2
max_client_conn = 100
ignore_startup_parameters = extra_float_digits
{"user = nobody" if os.geteuid() == 0 else ""}
""")
    for name in ("users.txt", "pgbouncer.ini"):
        os.chmod(os.path.join(folder, name), 0o644)
    log_path = os.path.join(folder, "pgbouncer.log")
    with open(log_path, "wb") as log:
        process = subprocess.Popen([binary, os.path.join(folder, "pgbouncer.ini")], stdout=log,
                                   stderr=subprocess.STDOUT)
    import psycopg

    deadline = time.monotonic() + 15
    while True:
        try:
            psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres", connect_timeout=1).close()
            break
        except psycopg.OperationalError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                with open(log_path, errors="replace") as log:
                    pytest.fail("pgbouncer did not start: " + log.read())
            time.sleep(0.2)
    yield port
    process.terminate()
    process.wait(timeout=10)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def bounced(app, pgbouncer, tmp_path):
    """The test's database, reached through PgBouncer, as a second app."""
    name = app.config["DATABASE_URL"].rsplit("/", 1)[1]
    through = create_app(_config(tmp_path / "via-pgbouncer",
                                 DATABASE_URL=f"postgresql://postgres@127.0.0.1:{pgbouncer}/{name}",
                                 DATABASE_PGBOUNCER=True, DATABASE_POOL_SIZE=4, UPLOAD_STORAGE="database",
                                 HUEY_IMMEDIATE=False, CAPTCHA_VOICES_DIR=app.config["CAPTCHA_VOICES_DIR"]))
    yield through
    close_all(through.config["DATABASE"])
    flask_db.database.initialize(app.config["DATABASE"])


def test_lock_files_and_queue_work_through_transaction_pooling(bounced):
    from webapp.registry.models import Region

    with bounced.app_context():
        # Repeated statements on few server connections: psycopg would
        # prepare them after five runs; with DATABASE_PGBOUNCER it does not.
        errors = []

        def reader():
            try:
                for _ in range(30):
                    with flask_db.database.atomic():
                        Region.get_by_id("32")
                flask_db.database.close()
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=reader) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []

        with uploads.changes() as files, atomic_write("test"):
            name = files.store(b"foto lewat pgbouncer", "akun")
        assert uploads.read(name) == b"foto lewat pgbouncer"

        huey = bounced.extensions["huey"]
        huey.flush()
        tasks.enqueue("petugas_import", "tidak-ada")
        assert huey.pending_count() == 1 and huey.dequeue() is not None
        flask_db.database.close()


def test_the_write_lock_still_serialises_through_pgbouncer(bounced):
    """Two read-then-write transactions on different server connections:
    the second waits for the first's commit (a transaction-level lock is
    released with the transaction, so PgBouncer can hand the connection on)."""
    order = []

    def writer(tag, hold):
        with bounced.app_context():
            with atomic_write("test"):
                order.append(f"{tag}+")
                time.sleep(hold)
                order.append(f"{tag}-")
            flask_db.database.close()

    first = threading.Thread(target=writer, args=("a", 0.5))
    first.start()
    time.sleep(0.15)
    second = threading.Thread(target=writer, args=("b", 0))
    second.start()
    first.join()
    second.join()
    assert order == ["a+", "a-", "b+", "b-"]
