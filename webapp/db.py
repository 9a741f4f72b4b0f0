"""The database: one FlaskDB for the whole app, opened per request.

`flask_db` and `BaseModel` live at module level so every model binds to the
same proxy; create_app() points the proxy at the configured database.
"""

import hashlib
import os
import secrets
import threading
import time
from contextlib import contextmanager

from flask import request
from peewee import SqliteDatabase
from playhouse.db_url import connect, parse
from playhouse.flask_utils import FlaskDB
from playhouse.pool import PooledPostgresqlDatabase, PooledSqliteDatabase


class _FlaskDB(FlaskDB):
    """FlaskDB that tolerates a connection already opened in this thread (CLI
    commands and tests open one before calling into views)."""

    def connect_db(self):
        if request.endpoint in self._excluded_routes:
            return
        self.database.connect(reuse_if_open=True)


# /healthz opens its own connection: a database that is down must give its
# answer (503), not fail the request before it.
flask_db = _FlaskDB(excluded_routes=("static", "vendor.static", "health.healthz"))
BaseModel = flask_db.Model

# SQLite settings that make one small server dependable: WAL lets readers and
# a writer work together, the busy timeout makes writers queue instead of
# failing with "database is locked".
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10000,
    "synchronous": "normal",
    # Per connection: a worker has one per thread (gunicorn gthread), so 4 MB
    # each keeps a worker's page caches near what one sync worker's was.
    "cache_size": -4000,
}


def new_public_id() -> str:
    """A random id for URLs and sessions instead of a row id or a NIK: 32 hex
    characters (128 bits)."""
    return secrets.token_hex(16)


def comma_list(text) -> list:
    """The codes a comma-separated text column holds, in order ("" or None: none)."""
    return [code for code in (text or "").split(",") if code]


def comma_text(codes) -> str:
    """The text a comma-separated column stores for `codes` (comma_list's inverse)."""
    return ",".join(codes)


_models = []


def register(*models):
    """Adds models to the schema created by `flask init-db`."""
    for model in models:
        if model not in _models:
            _models.append(model)
    return models[0] if len(models) == 1 else models


def all_models():
    return list(_models)


class PooledPostgres(PooledPostgresqlDatabase):
    """The pool hands out a connection after a round trip to the server
    (SELECT 1) that shows it is still open: one per request, which on a
    lookup's five requests cost more client and server CPU than the cached
    region fragments themselves. A connection given back less than
    `alive_for` seconds ago (ALIVE_WITHOUT_CHECK_SECONDS) with no transaction
    open is handed out without it, as HikariCP's alive-bypass window does: at
    a peak connections come back within milliseconds, and one idle for longer
    (a restart or a dropped link may have closed it meanwhile) is checked as
    before. psycopg marks a connection it lost closed, so one that failed is
    never handed out again either way."""

    def __init__(self, database, alive_for=0.5, **kwargs):
        self.alive_for = alive_for
        self._given_back = {}
        super().__init__(database, **kwargs)

    def _can_reuse(self, conn):  # on check-in
        if not super()._can_reuse(conn):
            return False
        self._given_back[id(conn)] = time.monotonic()
        return True

    def _is_closed(self, conn):  # on check-out
        given_back = self._given_back.pop(id(conn), None)
        if (given_back is not None and not conn.closed and time.monotonic() - given_back < self.alive_for
                and self._adapter.txn_status(conn) == self._adapter.txn_idle):
            return False
        return super()._is_closed(conn)

    def _close_raw(self, conn):
        self._given_back.pop(id(conn), None)
        super()._close_raw(conn)


def database_for(app):
    """The configured database, pooled: each worker keeps its connections
    between requests instead of opening one (and, on SQLite, setting pragmas)
    per request. A plain postgresql:// URL is pooled too, DATABASE_POOL_SIZE
    connections per worker at most (a URL's own ?max_connections=N wins).
    Behind PgBouncer in transaction mode (DATABASE_PGBOUNCER), psycopg makes
    no server-side prepared statements, which another client's transaction
    on the same server connection would not know."""
    size, stale = app.config["DATABASE_POOL_SIZE"], app.config["DATABASE_POOL_STALE_SECONDS"]
    url = app.config.get("DATABASE_URL")
    if url:
        scheme, sep, rest = url.partition("://")
        options = {}
        if scheme.split("+")[0] in ("postgres", "postgresql"):
            if scheme in ("postgres", "postgresql"):
                url = f"postgresql+pool{sep}{rest}"
                if "max_connections=" not in rest:
                    url += ("&" if "?" in rest else "?") + f"max_connections={size}&stale_timeout={stale}"
            if app.config.get("DATABASE_PGBOUNCER"):
                options["prepare_threshold"] = None
            if url.partition("://")[0] in ("postgres+pool", "postgresql+pool"):
                return PooledPostgres(**parse(url), **options,
                                      alive_for=app.config["DATABASE_ALIVE_WITHOUT_CHECK_SECONDS"])
        return connect(url, **options)
    path = os.path.join(app.instance_path, app.config["SQLITE_FILENAME"])
    private_file(path)
    # A pooled connection may be checked out by another thread later (one at a
    # time), so SQLite's same-thread guard must be off.
    return PooledSqliteDatabase(path, pragmas=SQLITE_PRAGMAS, max_connections=size, stale_timeout=stale,
                                check_same_thread=False)


def private_file(path):
    """Makes `path` (an SQLite file) exist with mode 0600 before SQLite opens
    it: SQLite creates its -wal and -shm files with the same mode, so none of
    them is readable by other users (they hold every NIK, phone, password
    hash). An existing file keeps its content and is narrowed to 0600."""
    if not os.path.exists(path):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(path + suffix):
            os.chmod(path + suffix, 0o600)


def close_all(db=None):
    """Closes every pooled connection (before a file is replaced or a test
    database dropped)."""
    db = db or flask_db.database
    db = getattr(db, "obj", db)
    if hasattr(db, "close_all"):
        db.close_all()
    elif not db.is_closed():
        db.close()


def is_sqlite(db=None):
    db = db or flask_db.database
    return isinstance(getattr(db, "obj", db), SqliteDatabase)


def lock_id(key):
    """The 64-bit number of PostgreSQL's advisory lock for `key` (a string
    naming one object, "proposal:42"): the same on every host and worker."""
    digest = hashlib.blake2b(str(key).encode(), digest_size=8, person=b"cekbansos-lock").digest()
    return int.from_bytes(digest, "big", signed=True)


# SQLite lets one connection write at a time; threads of one worker that
# collide on its lock wait in SQLite's busy handler, which sleeps in steps of up
# to 100 ms. Taking this lock first queues them in the process instead, so only
# workers (processes) ever meet at SQLite's lock. Re-entrant: atomic_write()
# may nest.
_SQLITE_WRITER = threading.RLock()


@contextmanager
def atomic_write(*keys):
    """A transaction for read-then-write work on the objects named by `keys`
    (check a status or a version, then change it), e.g.
    atomic_write(f"proposal:{proposal.id}"). On SQLite it takes the write lock
    up front (BEGIN IMMEDIATE) so two workers cannot both read and then
    collide on the upgrade to a write lock; SQLite has one writer anyway. On
    PostgreSQL, READ COMMITTED would let two such transactions both read the
    old state and both write; a transaction-level advisory lock per key, held
    until commit, serialises the transactions on the same object only, so
    unrelated writes (two citizens' sign-ins, two proposals' decisions) run
    side by side, on every host. Transaction-level locks end with the
    transaction, which PgBouncer's transaction mode needs. Keys are locked in
    one order (by number) so two transactions on the same pair never deadlock."""
    if not keys:
        raise TypeError("atomic_write() needs the key of each object it reads then writes")
    db = flask_db.database
    if is_sqlite(db):
        with _SQLITE_WRITER, db.atomic("IMMEDIATE") as txn:
            yield txn
        return
    with db.atomic() as txn:
        lock(*keys)
        yield txn


def lock(*keys):
    """Inside atomic_write(): also locks these objects until the commit (an
    object found only after the first read). Nothing to do on SQLite."""
    db = flask_db.database
    if is_sqlite(db):
        return
    for number in sorted({lock_id(key) for key in keys}):
        db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (number,))


_after_schema = []


def after_schema(fn):
    """Registers fn(db), run by migrations.create_schema() after the tables on every
    `flask init-db` (so it must be safe to repeat): indexes peewee cannot
    declare, such as PostgreSQL's collated ones."""
    if fn not in _after_schema:
        _after_schema.append(fn)
    return fn


def init_app(app):
    os.makedirs(app.instance_path, mode=0o700, exist_ok=True)
    app.config["DATABASE"] = database_for(app)
    flask_db.init_app(app)
