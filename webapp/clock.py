"""The one clock: every stored time is naive UTC, every shown time is Asia/Jakarta.

Stored values stay naive (no tzinfo) so SQLite and PostgreSQL store and compare
them the same way; `utcnow()` is the only source of "now" for stored times.
`today()` is the person's calendar day (Jakarta), used for deadlines and ages.
`local()` turns a stored time into Jakarta wall time for display, and the
`waktu` template filter (webapp/templating.py) is how pages show it.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Asia/Jakarta")


def utcnow() -> datetime:
    """Naive UTC: stored and compared the same way on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


def today() -> date:
    """Today's date in Jakarta, whatever the server's own time zone."""
    return datetime.now(ZONE).date()


def local(value: datetime | None) -> datetime | None:
    """A stored naive-UTC time as naive Jakarta wall time (None stays None)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(ZONE).replace(tzinfo=None)


def show(value: datetime | None, pattern: str = "%d-%m-%Y %H:%M") -> str:
    """A stored time written for a person, in Jakarta time ("" when missing)."""
    shown = local(value)
    return shown.strftime(pattern) if shown else ""
