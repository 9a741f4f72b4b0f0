"""The database counters behind the sign-in limit and (without Redis) the
lookup limit: a fixed window per item of the limit string, counted by one
upsert per event, on SQLite and PostgreSQL alike."""

from datetime import datetime, timedelta

import pytest

from webapp import throttle
from webapp.akun.models import ClientThrottle

START = datetime(2026, 12, 3, 8, 0, 0)


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_each_window_counts_ends_and_starts_again(app, db):
    with app.test_request_context():
        limit = "3 per minute;5 per hour"
        at = [START + timedelta(seconds=s) for s in (0, 10, 20)]
        assert [throttle.count("lookup:x", "10.1.2.3", limit, now=t) for t in at] == [False, False, False]
        # The 4th in a minute is over.
        assert throttle.count("lookup:x", "10.1.2.3", limit, now=START + timedelta(seconds=30))
        assert throttle.used_up("lookup:x", "10.1.2.3", limit, now=START + timedelta(seconds=31))
        # Another client, or another kind, has counters of its own.
        assert not throttle.count("lookup:x", "10.1.2.4", limit, now=START + timedelta(seconds=30))
        assert not throttle.count("lookup:y", "10.1.2.3", limit, now=START + timedelta(seconds=30))
        # The minute ends and starts again; the hour keeps counting (5th, then 6th: over).
        later = START + timedelta(minutes=2)
        assert not throttle.count("lookup:x", "10.1.2.3", limit, now=later)
        assert throttle.count("lookup:x", "10.1.2.3", limit, now=later + timedelta(seconds=1))
        hour = {row.failures for row in ClientThrottle.select() if row.key.endswith(":3600")}
        assert 6 in hour
        # After the hour, both windows start from one.
        assert not throttle.count("lookup:x", "10.1.2.3", limit, now=START + timedelta(hours=2))
        assert not throttle.used_up("lookup:x", "10.1.2.3", limit, now=START + timedelta(hours=2, seconds=1))
