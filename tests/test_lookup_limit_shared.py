"""Issue 14: without Redis the lookup limit is counted in the database (the
sign-in limit's rule, webapp.throttle), so two processes on one database
(two gunicorn workers, two hosts) share it instead of each allowing the
whole limit."""

import json
import os
import subprocess
import sys

import pytest

from webapp.akun.models import ClientThrottle

from .conftest import CAPTCHA, Lookup

NIK = "3276064506900001"

# A second worker: its own process (own Flask-Limiter memory), same database.
WORKER = """
import json, sys
from webapp import create_app
from tests.conftest import Lookup
app = create_app(json.loads(sys.argv[1]))
lookup = Lookup(app.test_client())
print(json.dumps([lookup.by_nik(sys.argv[2]).status_code for _ in range(4)]))
"""


def _plain(config):
    return {k: v for k, v in config.items() if isinstance(v, (str, int, bool)) and v is not None}


@pytest.mark.app_config(RATELIMIT_ENABLED=True, LOOKUP_RATE_LIMIT="4 per minute")
def test_two_processes_on_one_database_share_the_lookup_limit(app):
    assert str(app.config["RATELIMIT_STORAGE_URI"]).startswith("memory://")  # no Redis
    here = Lookup(app.test_client())
    assert [here.by_nik(NIK).status_code for _ in range(2)] == [200, 200]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    done = subprocess.run([sys.executable, "-c", WORKER, json.dumps(_plain(app.config)), NIK],
                          capture_output=True, text=True, cwd=root, timeout=120, check=True)
    other = json.loads(done.stdout.strip().splitlines()[-1])
    assert other == [200, 200, 429, 429]  # per worker it would be four 200s
    last = here.by_nik(NIK)
    assert last.status_code == 429 and "terlalu sering" in last.get_data(as_text=True)
    assert f'value="{NIK}"' in last.get_data(as_text=True)  # the form comes back, input kept


@pytest.mark.app_config(RATELIMIT_ENABLED=True, LOOKUP_RATE_LIMIT="2 per minute")
def test_the_api_counts_in_the_database_too(app, client):
    body = {"captcha_token": "x", "captcha": "y", "nik": "1"}
    statuses = [client.post("/api/v1/cek", json=body).status_code for _ in range(3)]
    assert statuses[2] == 429 and 429 not in statuses[:2]
    with app.app_context():
        keys = [row.key for row in ClientThrottle.select()]
    assert keys and all("127.0.0.1" not in key for key in keys)  # the address only as an HMAC


def _search(client, lookup, nik, token=None, **extra):
    csrf, fresh = lookup.fresh("/?mode=nik")
    data = {"csrf_token": csrf, "captcha_token": token or fresh, "captcha": CAPTCHA, "mode": "nik",
            "nik": nik}
    data.update(extra)
    return client.post("/", data=data), data["captcha_token"]


@pytest.mark.app_config(RATELIMIT_ENABLED=True, LOOKUP_RATE_LIMIT="3 per minute")
def test_every_search_counts_replayed_invalid_or_found(app, client):
    """The count of a search waits for its captcha check (one transaction with
    the nonce), yet nothing escapes it: a used token sent again, a form with
    errors and a search that finds all count."""
    lookup = Lookup(client)
    found, token = _search(client, lookup, NIK)
    replayed, _ = _search(client, lookup, NIK, token=token)
    invalid, _ = _search(client, lookup, "12")
    assert [found.status_code, replayed.status_code, invalid.status_code] == [200, 422, 422]
    assert "Kode captcha ini sudah dipakai" in replayed.get_data(as_text=True)
    limited, kept = _search(client, lookup, NIK)
    assert limited.status_code == 429 and "terlalu sering" in limited.get_data(as_text=True)
    # Over the limit nothing was looked up and the token was not used up:
    # the form comes back with the same challenge, the NIK kept.
    html = limited.get_data(as_text=True)
    assert f'value="{kept}"' in html and f'value="{NIK}"' in html and "data ditemukan" not in html
    with app.app_context():
        from webapp.captcha.models import UsedNonce
        from webapp.captcha.services import read_token

        assert not UsedNonce.select().where(UsedNonce.nonce == read_token(kept)[0]).exists()


@pytest.mark.app_config(RATELIMIT_ENABLED=True, LOOKUP_RATE_LIMIT="20 per minute")
def test_a_search_commits_once(app, client, db):
    """The lookup counter and the captcha nonce: one commit for both."""
    from webapp.db import flask_db, is_sqlite

    if not is_sqlite(flask_db.database):
        pytest.skip("statement trace of SQLite's own driver")
    lookup = Lookup(client)
    csrf, token = lookup.fresh("/?mode=nik")
    seen = []
    with app.app_context():
        connection = flask_db.database.connection()
    connection.set_trace_callback(seen.append)
    try:
        response = client.post("/", data={"csrf_token": csrf, "captcha_token": token, "captcha": CAPTCHA,
                                          "mode": "nik", "nik": NIK})
    finally:
        connection.set_trace_callback(None)
    assert response.status_code == 200
    writes = [s for s in seen if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert any("client_throttle" in s for s in writes) and any("used_nonce" in s for s in writes)
    assert [s for s in seen if s.strip().upper() == "COMMIT"] == ["COMMIT"], seen


@pytest.mark.app_config(RATELIMIT_ENABLED=True, LOOKUP_RATE_LIMIT="20 per minute")
def test_a_search_writes_in_one_statement_on_postgresql(app, client, db, monkeypatch):
    """PostgreSQL: the lookup counter and the captcha nonce are one statement,
    one round trip to the database, with no BEGIN or COMMIT around it."""
    from webapp.db import flask_db, is_sqlite

    if is_sqlite(flask_db.database):
        pytest.skip("PostgreSQL's statement path")
    import psycopg

    lookup = Lookup(client)
    csrf, token = lookup.fresh("/?mode=nik")
    seen = []
    execute, commit = psycopg.Cursor.execute, psycopg.Connection.commit

    def traced_execute(cursor, query, *args, **kwargs):
        seen.append(str(query))
        return execute(cursor, query, *args, **kwargs)

    def traced_commit(connection):
        seen.append("COMMIT")
        return commit(connection)

    monkeypatch.setattr(psycopg.Cursor, "execute", traced_execute)
    monkeypatch.setattr(psycopg.Connection, "commit", traced_commit)
    response = client.post("/", data={"csrf_token": csrf, "captcha_token": token, "captcha": CAPTCHA,
                                      "mode": "nik", "nik": NIK})
    monkeypatch.undo()
    assert response.status_code == 200 and 'id="hasil"' in response.get_data(as_text=True)  # an answer
    writes = [s for s in seen if "client_throttle" in s or "used_nonce" in s]
    assert len(writes) == 1 and "client_throttle" in writes[0] and "used_nonce" in writes[0], seen
    assert not [s for s in seen if s.strip().upper() in ("BEGIN", "COMMIT")], seen
    with app.app_context():  # both written, outside any transaction of the request
        from webapp.captcha.models import UsedNonce
        from webapp.captcha.services import read_token

        assert UsedNonce.select().where(UsedNonce.nonce == read_token(token)[0]).exists()
        assert ClientThrottle.select().count() == 1  # the one window of LOOKUP_RATE_LIMIT
