"""Where stored files live: one small interface, two real backends.

UPLOAD_STORAGE picks the backend for the whole installation:

- "local" (default): files in UPLOAD_FOLDER (default <instance>/uploads),
  written atomically (temp file, fsync, rename). Several hosts can share it
  as one mounted folder (NFS and the like).
- "database": files as rows of the `stored_file` table in the app's own
  database (PostgreSQL, or SQLite for one host), in chunks of CHUNK bytes. A
  file written inside a transaction is part of that transaction: it exists
  exactly when the row that points at it does, and `pg_dump` or
  `flask backup` carry it with everything else.

Every byte written goes through Backend.put(name, data) and every byte read
through Backend.get(name) or Backend.chunks(name): the single points where a
wrapper (encryption at rest) goes. Names are relative, "folder/file" with the
shapes checked by the caller (webapp.uploads).
"""

import contextlib
import os
import tempfile
import time

from flask import current_app
from peewee import BlobField, CharField, CompositeKey, DateTimeField, IntegerField, fn

from . import clock
from .db import BaseModel, register

CHUNK = 256 * 1024
TEMP_SUFFIX = ".tmp"  # also skipped by `flask backup`
BACKENDS = ("local", "database")


@register
class StoredFile(BaseModel):
    """One chunk of a stored file (seq 0, 1, …). created_at lets the sweep
    spare a file younger than its grace period."""

    name = CharField(max_length=200)
    seq = IntegerField()
    data = BlobField()
    created_at = DateTimeField(default=clock.utcnow)

    class Meta:
        table_name = "stored_file"
        primary_key = CompositeKey("name", "seq")


# -- local folder --------------------------------------------------------------
def _fsync_dir(directory):
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(directory: str, filename: str, data: bytes) -> str:
    """Writes `data` as directory/filename (mode 0600) so that the name only
    ever shows a complete file: temp file in the same directory, fsync,
    rename. Returns the full path."""
    os.makedirs(directory, mode=0o700, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".", suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        final = os.path.join(directory, filename)
        os.replace(tmp, final)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(directory)  # makes the rename itself durable
    return final


class LocalStorage:
    """Files in one folder (a local disk or a mount every host shares)."""

    name = "local"
    # Writes are not undone by a database rollback: callers delete on failure
    # and delete replaced files only after their commit (uploads.changes()).
    transactional = False

    def __init__(self, root):
        self.root = os.path.realpath(root)

    def path(self, name):
        path = os.path.realpath(os.path.join(self.root, *name.split("/")))
        if os.path.commonpath([self.root, path]) != self.root:  # a symlink pointing out
            raise FileNotFoundError(name)
        return path

    def put(self, name, data: bytes):
        folder, _sep, filename = name.rpartition("/")
        write_atomic(os.path.join(self.root, folder), filename, data)

    def exists(self, name):
        try:
            return os.path.isfile(self.path(name))
        except FileNotFoundError:
            return False

    def size(self, name):
        return os.path.getsize(self.path(name))

    def chunks(self, name):
        """The file's bytes in pieces of at most CHUNK; FileNotFoundError
        before the first piece when it does not exist."""
        path = self.path(name)
        if not os.path.isfile(path):
            raise FileNotFoundError(name)

        def pieces():
            with open(path, "rb") as f:
                while block := f.read(CHUNK):
                    yield block

        return pieces()

    def get(self, name) -> bytes:
        return b"".join(self.chunks(name))

    def delete(self, name):
        with contextlib.suppress(FileNotFoundError):
            os.remove(self.path(name))

    def listing(self):
        """(name, age in seconds, is_temp) of every file under the root."""
        if not os.path.isdir(self.root):
            return
        now = time.time()
        for directory, _dirs, files in os.walk(self.root):
            for filename in files:
                full = os.path.join(directory, filename)
                try:
                    age = now - os.lstat(full).st_mtime
                except FileNotFoundError:
                    continue
                relative = os.path.relpath(full, self.root).replace(os.sep, "/")
                yield relative, age, filename.startswith(".") and filename.endswith(TEMP_SUFFIX)


# -- the database ----------------------------------------------------------------
class DatabaseStorage:
    """Files as chunked rows of `stored_file`, on the app's connection: inside
    a transaction, a put or a delete commits or rolls back with it."""

    name = "database"
    transactional = True

    def put(self, name, data: bytes):
        rows = [{"name": name, "seq": i, "data": data[offset:offset + CHUNK]}
                for i, offset in enumerate(range(0, max(len(data), 1), CHUNK))]
        with StoredFile._meta.database.atomic():
            StoredFile.delete().where(StoredFile.name == name).execute()
            for row in rows:  # one chunk per statement: memory stays at a chunk
                StoredFile.insert(**row).execute()

    def exists(self, name):
        return StoredFile.select().where((StoredFile.name == name) & (StoredFile.seq == 0)).exists()

    def size(self, name):
        total = StoredFile.select(fn.SUM(fn.LENGTH(StoredFile.data))).where(StoredFile.name == name).scalar()
        if total is None:
            raise FileNotFoundError(name)
        return total

    def chunks(self, name):
        """Reads one chunk per query, so a response streams without holding
        the whole file; FileNotFoundError at once when it does not exist."""
        count = StoredFile.select().where(StoredFile.name == name).count()
        if not count:
            raise FileNotFoundError(name)

        def pieces():
            for seq in range(count):
                data = (StoredFile.select(StoredFile.data)
                        .where((StoredFile.name == name) & (StoredFile.seq == seq)).scalar())
                if data is None:  # deleted while being read
                    return
                yield bytes(data)

        return pieces()

    def get(self, name) -> bytes:
        return b"".join(self.chunks(name))

    def delete(self, name):
        StoredFile.delete().where(StoredFile.name == name).execute()

    def listing(self):
        now = clock.utcnow()
        query = (StoredFile.select(StoredFile.name, StoredFile.created_at)
                 .where(StoredFile.seq == 0).tuples())
        for name, created in query:
            yield name, (now - created).total_seconds(), False


def upload_root(app=None) -> str:
    app = app or current_app
    root = app.config.get("UPLOAD_FOLDER") or os.path.join(app.instance_path, "uploads")
    return os.path.realpath(root)


def backend(app=None):
    """The configured backend (one object per app)."""
    app = app or current_app
    found = app.extensions.get("storage")
    if found is None:
        kind = app.config.get("UPLOAD_STORAGE") or "local"
        if kind not in BACKENDS:
            raise RuntimeError(f"UPLOAD_STORAGE harus salah satu dari {', '.join(BACKENDS)}, bukan {kind!r}.")
        found = DatabaseStorage() if kind == "database" else LocalStorage(upload_root(app))
        app.extensions["storage"] = found
    return found


def init_app(app):
    backend(app)  # refuses an unknown UPLOAD_STORAGE at start, not at the first upload
