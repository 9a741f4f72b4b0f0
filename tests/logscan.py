"""After the whole suite, the captured logs must hold no NIK, KK, password,
code or full name (SECURITY.md 25). Every record any logger emits during the
session is kept, and so is every line of the gunicorn logs of the real-server
tests (read when their server stops); the check runs at session end and fails
the run if needed.

Looked for: any standalone 16-digit number (NIK, KK), a six-digit code next to
"kode"/"code", every password the tests type (string literals given to a
password field anywhere under tests/), and the full names of the synthetic
registry and of every account, proposal and family member the tests created
(read from each test's database just before it is dropped)."""

import contextlib
import logging
import pathlib
import re
import sqlite3

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

# Names people type: at least two words of two letters or more. (Hostile
# values the fuzzers managed to store, such as "0 0", are not names and would
# match by accident.)
_A_NAME = re.compile(r"^(?=(?:.*?[^\W\d_]{2,}){2})[^\n]{5,}$")
_CREATED_NAMES = ("SELECT name FROM account", "SELECT name FROM proposal WHERE name IS NOT NULL",
                  "SELECT name FROM proposal_member")


def _keep_names(rows):
    for (name,) in rows:
        if isinstance(name, str) and " " in name.strip() and _A_NAME.match(name.strip()):
            _names.add(name.strip())


def _harvest_sqlite(path):
    if not path.exists():
        return
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return
    try:
        for sql in _CREATED_NAMES:
            with contextlib.suppress(sqlite3.Error):  # a test that never made the schema
                _keep_names(conn.execute(sql).fetchall())
    finally:
        conn.close()


def _harvest_postgresql(url):
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=3, autocommit=True) as conn:
            for sql in _CREATED_NAMES:
                with contextlib.suppress(psycopg.Error):
                    _keep_names(conn.execute(sql).fetchall())
    except psycopg.Error:
        pass


_clones = {}  # id(config) -> (instance folder, config), until dropped


def _watch_test_databases():
    """Wraps the backend so every test database is read (names) and every
    real server's gunicorn log is kept just before the database is dropped."""
    from .dbbackend import backend

    clone, drop = backend.clone, backend.drop

    def cloning(template_instance, instance):
        config = clone(template_instance, instance)
        _clones[id(config)] = (pathlib.Path(instance), config)
        return config

    def dropping(config):
        instance, _config = _clones.pop(id(config), (None, None))
        try:
            if config.get("DATABASE_URL"):
                _harvest_postgresql(config["DATABASE_URL"])
            elif instance is not None:
                _harvest_sqlite(instance / "cekbansos.sqlite3")
            if instance is not None and (instance / "gunicorn.log").exists():
                text = (instance / "gunicorn.log").read_text(errors="replace")
                _records.extend(f"gunicorn {line}" for line in text.splitlines())
        finally:
            drop(config)

    backend.clone, backend.drop = cloning, dropping


def _test_passwords():
    """Every password the tests type: string literals given to a password
    field (password=…, "password": …, PASSWORD = …), 8 characters or more."""
    found = set()
    pattern = re.compile(r"""(?:password|sandi)\w*["']?[ \t]*[=:,][ \t]*["']([^"'{}\n]{8,})["']""",
                         re.IGNORECASE)
    for path in pathlib.Path(__file__).parent.rglob("*.py"):
        for value in pattern.findall(path.read_text(errors="replace")):
            if not re.fullmatch(r"[A-Za-z_.]+\.[A-Za-z_]+", value):  # "Account.state": a column name
                found.add(value)
    return found


_watch_test_databases()


def problems_in(lines, passwords):
    """(kind, line) for each line holding personal data."""
    problems = []
    for line in lines:
        if _SIXTEEN_DIGITS.search(line):
            problems.append(("16-digit number (NIK/KK)", line))
        if _SIX_DIGIT_CODE.search(line):
            problems.append(("one-time code", line))
        for password in passwords:
            if password in line:
                problems.append(("password", line))
                break
        for name in _names:
            if name in line:
                problems.append(("full name", line))
                break
    return problems


def pytest_sessionfinish(session, exitstatus):
    logging.getLogger().removeHandler(_handler)
    for instance, config in list(_clones.values()):  # never dropped (SQLite: dropping is a no-op)
        if not config.get("DATABASE_URL"):
            _harvest_sqlite(instance / "cekbansos.sqlite3")
    passwords = _test_passwords()
    problems = problems_in(_records, passwords)
    if problems:
        print("\nPersonal data found in the logs:")
        for kind, line in problems[:20]:
            print(f"  {kind}: {line[:200]}")
        session.exitstatus = 1
    else:
        print(f"\nLog privacy: {len(_records)} log records checked against {len(passwords)} test passwords "
              f"and {len(_names)} full names: no NIK, KK, code, password or full name.")
