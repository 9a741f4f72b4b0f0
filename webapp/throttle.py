"""Per-client counters kept in the database, so every gunicorn worker and
host counts the same requests without Redis. One rule for all of them:
a limit string ("20 per minute;200 per hour") is a fixed window per item,
one row per client address (stored only as an HMAC), kind and window, in
the client_throttle table (akun.models.ClientThrottle). Used by the
sign-in limit (failed sign-ins) and, when no Redis is configured, by the
lookup limit (webapp.security.lookup_limit)."""

import hashlib
import hmac
import random
from datetime import timedelta

from flask import current_app
from limits import parse_many

from .akun.models import ClientThrottle, utcnow
from .db import atomic_write

# Ended windows are deleted after a day (housekeeping).
KEEP_ENDED = timedelta(days=1)


def windows(kind, address, limit):
    """(row key, allowed count, window length) per item of `limit`. The sign-in
    kind keeps the key it always had (rows of a running site stay valid)."""
    secret = current_app.config["SECRET_KEY"].encode()
    label = b"client-address:" if kind == "sign-in" else f"client-address:{kind}:".encode()
    digest = hmac.new(secret, label + (address or "").encode(), hashlib.sha256).hexdigest()
    return [(f"{digest}:{item.get_expiry()}", item.amount, timedelta(seconds=item.get_expiry()))
            for item in parse_many(limit)]


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


def count(kind, address, limit, now=None, purge_chance=1.0):
    """Counts one event of the client in each window (an ended window starts
    again) and returns True when this event is over a window's allowed count."""
    if not enabled():
        return False
    now = now or utcnow()
    over = False
    with atomic_write(f"client:{address}"):
        for key, amount, length in windows(kind, address, limit):
            row = ClientThrottle.get_or_none(ClientThrottle.key == key)
            if row is None:
                ClientThrottle.create(key=key, failures=1, expires_at=now + length)
                seen = 1
            elif row.expires_at <= now:
                ClientThrottle.update(failures=1, expires_at=now + length).where(
                    ClientThrottle.key == key).execute()
                seen = 1
            else:
                ClientThrottle.update(failures=ClientThrottle.failures + 1).where(
                    ClientThrottle.key == key).execute()
                seen = row.failures + 1
            over = over or seen > amount
        if random.random() < purge_chance:  # noqa: S311 - housekeeping, not security
            ClientThrottle.delete().where(ClientThrottle.expires_at < now - KEEP_ENDED).execute()
    return over
