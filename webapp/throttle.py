"""Per-client counters kept in the database, so every gunicorn worker and
host counts the same requests without Redis. One rule for all of them:
a limit string ("20 per minute;200 per hour") is a fixed window per item,
one row per client address (stored only as an HMAC), kind and window, in
the client_throttle table (akun.models.ClientThrottle). Used by the
sign-in limit (failed sign-ins) and, when no Redis is configured, by the
lookup limit (webapp.security.lookup_limit)."""

import functools
import hashlib
import hmac
import random
from contextlib import contextmanager
from datetime import timedelta

from flask import current_app
from limits import parse_many

from .akun.models import ClientThrottle, utcnow
from .db import atomic_write, flask_db, is_sqlite

# Ended windows are deleted after a day (housekeeping).
KEEP_ENDED = timedelta(days=1)


@functools.lru_cache(maxsize=16)
def _items(limit):
    """(allowed count, window seconds) per item of a limit string, parsed once."""
    return tuple((item.amount, item.get_expiry()) for item in parse_many(limit))


def windows(kind, address, limit):
    """(row key, allowed count, window length) per item of `limit`. The sign-in
    kind keeps the key it always had (rows of a running site stay valid)."""
    secret = current_app.config["SECRET_KEY"].encode()
    label = b"client-address:" if kind == "sign-in" else f"client-address:{kind}:".encode()
    digest = hmac.new(secret, label + (address or "").encode(), hashlib.sha256).hexdigest()
    return [(f"{digest}:{seconds}", amount, timedelta(seconds=seconds)) for amount, seconds in _items(limit)]


def enabled():
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def used_up(kind, address, limit, now=None):
    """True while one of the client's windows holds its allowed count."""
    if not enabled():
        return False
    now = now or utcnow()
    found = windows(kind, address, limit)
    rows = {row.key: row for row in ClientThrottle.select().where(
        ClientThrottle.key.in_([key for key, _amount, _length in found]))}
    return any(key in rows and rows[key].expires_at > now and rows[key].failures >= amount
               for key, amount, _length in found)


# The upsert of count(), written once in the database's own parameter style
# ({p}): building it through the query builder cost more than running it.
# One row per window; an ended window (expires_at <= now) starts again at 1.
_UPSERT_SQL = ('INSERT INTO client_throttle ("key", failures, expires_at) VALUES {rows} '
               'ON CONFLICT ("key") DO UPDATE SET '
               "failures = CASE WHEN client_throttle.expires_at <= {p} THEN 1 "
               "ELSE client_throttle.failures + 1 END, "
               "expires_at = CASE WHEN client_throttle.expires_at <= {p} THEN excluded.expires_at "
               "ELSE client_throttle.expires_at END "
               'RETURNING "key", failures')


def count(kind, address, limit, now=None, purge_chance=1.0):
    """Counts one event of the client in each window (an ended window starts
    again) and returns True when this event is over a window's allowed count.
    One statement for all the client's windows (an upsert that returns the new
    counts), atomic per row on SQLite and PostgreSQL alike: no read first, no
    lock to take, so the lookup pays one write per search."""
    if not enabled():
        return False
    now = now or utcnow()
    found = windows(kind, address, limit)
    db = ClientThrottle._meta.database
    sql, params = _upsert(found, now)
    allowed = {key: amount for key, amount, _length in found}
    with _one_writer():
        seen = list(db.execute_sql(sql, params))
        _purge(now, purge_chance)
    return any(failures > allowed[key] for key, failures in seen)


def _upsert(found, now):
    """(SQL, parameters) of the upsert counting one event in each window of `found`."""
    db = ClientThrottle._meta.database
    stamp = ClientThrottle.expires_at.db_value
    sql = _UPSERT_SQL.format(rows=", ".join([f"({db.param}, 1, {db.param})"] * len(found)), p=db.param)
    params = [value for key, _amount, length in found for value in (key, stamp(now + length))]
    return sql, [*params, stamp(now), stamp(now)]


def _purge(now, chance):
    """Now and then (`chance`), deletes the windows ended more than KEEP_ENDED ago."""
    if random.random() < chance:  # noqa: S311 - housekeeping, not security
        ClientThrottle.delete().where(ClientThrottle.expires_at < now - KEEP_ENDED).execute()


# PostgreSQL: the count and, unless it is over the limit, the insert of one
# row, in one statement (data-modifying WITH, whose parts see each other only
# through RETURNING): one round trip to the database instead of four (BEGIN,
# the count, the insert, COMMIT), and atomic as any single statement is.
_COUNT_THEN_INSERT_SQL = (
    "WITH counted AS ({upsert}), "
    'allowed ("key", amount) AS (VALUES {allowed}), '
    'verdict AS (SELECT EXISTS (SELECT 1 FROM counted JOIN allowed USING ("key") '
    "WHERE counted.failures > allowed.amount) AS over), "
    "inserted AS (INSERT INTO {table} ({columns}) SELECT * FROM (VALUES ({values})) AS v ({columns}) "
    "WHERE NOT (SELECT over FROM verdict) ON CONFLICT DO NOTHING RETURNING 1) "
    "SELECT (SELECT over FROM verdict), (SELECT count(*) FROM inserted)")
_INSERT_SQL = "INSERT INTO {table} ({columns}) VALUES ({values}) ON CONFLICT DO NOTHING"


def count_then_insert(kind, address, limit, table, row, counted=True, now=None, purge_chance=1.0):
    """PostgreSQL: count() (when `counted` and limits are on) and, unless that
    count is over the limit, insert `row` ({column: value}) into `table`
    (a row with the same key already there is left alone) in one statement,
    outside any transaction. Returns (over the limit, row inserted). SQLite
    cannot write inside WITH: there the two go in one atomic_write."""
    db = ClientThrottle._meta.database
    columns = ", ".join(f'"{name}"' for name in row)
    values = ", ".join([db.param] * len(row))
    if not (counted and enabled()):
        sql = _INSERT_SQL.format(table=table, columns=columns, values=values)
        return False, db.execute_sql(sql, list(row.values())).rowcount == 1
    now = now or utcnow()
    found = windows(kind, address, limit)
    upsert, params = _upsert(found, now)
    sql = _COUNT_THEN_INSERT_SQL.format(
        upsert=upsert, allowed=", ".join([f"({db.param}, {db.param})"] * len(found)),
        table=table, columns=columns, values=values)
    params += [value for key, amount, _length in found for value in (key, amount)]
    params += list(row.values())
    (over, inserted), = db.execute_sql(sql, params).fetchall()
    _purge(now, purge_chance)
    return bool(over), inserted == 1


@contextmanager
def _one_writer():
    """SQLite: queue behind the worker's other writers (webapp.db.atomic_write);
    PostgreSQL: the statement is atomic on its own. Inside a transaction that
    already writes (the lookup's count in the captcha nonce's, taken with
    atomic_write), the upsert joins it: a nested atomic_write would only add a
    savepoint and its release, two statements more a search, and a failed
    upsert rolls the whole transaction back either way."""
    if is_sqlite() and not flask_db.database.in_transaction():
        with atomic_write("client-throttle"):
            yield
    else:
        yield
