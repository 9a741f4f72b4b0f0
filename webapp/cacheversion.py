"""Per-worker caches that every host drops together.

Each worker keeps what rarely changes (the region lists and their
compressed fragments, webapp.wilayah) in memory. A change written on one
host — `flask load-regions` — clears only that process's copies, so every
cache has a version number in the database: the writer bumps it in the same
transaction as the change, and each worker compares its own copy's number at
most once every CACHE_CHECK_SECONDS (one primary-key read of a tiny table)
and drops what is older. Any host, any worker, sees the change within that
time, without a restart.
"""

import logging
import secrets
import threading
import time

from flask import current_app, request
from peewee import BigIntegerField, CharField, DatabaseError

from .db import BaseModel, register

log = logging.getLogger(__name__)


@register
class CacheVersion(BaseModel):
    name = CharField(max_length=32, primary_key=True)
    version = BigIntegerField(default=0)

    class Meta:
        table_name = "cache_version"


_clearers = {}  # cache name → functions that drop this process's copies
_seen = {}  # cache name → the version this process's copies were built at
_state = {"checked_at": float("-inf"), "warned": False}
_guard = threading.Lock()


def on_change(name, clear):
    """`clear()` drops this process's copies of cache `name` when its
    version in the database moves."""
    _clearers.setdefault(name, []).append(clear)


def bump(name):
    """Marks cache `name` changed for every worker of every host: call it
    inside the transaction that changes what the cache holds."""
    # A fresh random number rather than a counter: a database restored from a
    # backup (or a test's fresh copy) cannot bring an old number back to match.
    version = secrets.randbits(62)
    (CacheVersion.insert(name=name, version=version)
     .on_conflict(conflict_target=[CacheVersion.name], update={CacheVersion.version: version})
     .execute())
    for clear in _clearers.get(name, ()):
        clear()


def check(now=None):
    """Compares this process's versions with the database's, at most once
    every CACHE_CHECK_SECONDS, and clears every cache that moved."""
    now = time.monotonic() if now is None else now
    every = current_app.config.get("CACHE_CHECK_SECONDS", 2)
    with _guard:
        if now - _state["checked_at"] < every:
            return
        _state["checked_at"] = now
    try:
        versions = dict(CacheVersion.select(CacheVersion.name, CacheVersion.version).tuples())
    except DatabaseError:  # not created yet (`flask init-db` pending): caches stay as they are
        if not _state["warned"]:
            log.warning("cache_version table missing; run `flask init-db`")
            _state["warned"] = True
        return
    for name, clears in _clearers.items():
        version = versions.get(name, 0)
        if _seen.get(name) != version:
            for clear in clears:
                clear()
            _seen[name] = version


def init_app(app):
    @app.before_request
    def _check_cache_versions():
        if request.endpoint in (None, "static", "vendor.static"):
            return
        check()
