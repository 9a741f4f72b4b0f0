"""After the whole suite, the captured logs must hold no NIK, KK, password,
code or full name (SECURITY.md 25). Every record any logger emits during the
session is kept; the check runs at session end and fails the run if needed."""

import logging
import re

import pytest

_records = []
# A NIK or KK stands alone; 16 digits inside a longer hex token are part of
# a random public id, which is not personal data.
_SIXTEEN_DIGITS = re.compile(r"(?<![0-9A-Za-z])\d{16}(?![0-9A-Za-z])")
_SIX_DIGIT_CODE = re.compile(r"\b(?:kode|code)\D{0,20}\d{6}\b", re.IGNORECASE)


class _Keep(logging.Handler):
    def emit(self, record):
        try:
            _records.append(self.format(record))
        except Exception:  # noqa: BLE001 - a broken record must not break the suite
            _records.append(str(record.msg))


_handler = _Keep(level=logging.DEBUG)
_handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))


def pytest_sessionstart(session):
    root = logging.getLogger()
    root.addHandler(_handler)
    if root.level > logging.INFO:
        root.setLevel(logging.INFO)


def _registry_names():
    """Full names of the synthetic registry the suite used."""
    from webapp.registry.models import Person

    try:
        return {n for (n,) in Person.select(Person.name).tuples() if " " in n}
    except Exception:  # noqa: BLE001 - no database bound: nothing to compare
        return set()


@pytest.fixture(scope="session", autouse=True)
def _remember_names(template_instance):
    from webapp import create_app
    from webapp.db import close_all

    from .conftest import _config
    from .dbbackend import backend

    app = create_app(_config(template_instance, **backend.template_ref()))
    with app.app_context():
        _names.update(_registry_names())
        close_all()
    yield


_names = set()


def pytest_sessionfinish(session, exitstatus):
    logging.getLogger().removeHandler(_handler)
    problems = []
    for line in _records:
        if _SIXTEEN_DIGITS.search(line):
            problems.append(("16-digit number (NIK/KK)", line))
        if _SIX_DIGIT_CODE.search(line):
            problems.append(("one-time code", line))
        for name in _names:
            if name in line:
                problems.append(("full name", line))
                break
    if problems:
        print("\nPersonal data found in the logs:")
        for kind, line in problems[:20]:
            print(f"  {kind}: {line[:200]}")
        session.exitstatus = 1
    else:
        print(f"\nLog privacy: {len(_records)} log records checked, no NIK, KK, code or full name.")
