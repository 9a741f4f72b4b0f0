"""A pooled PostgreSQL connection is checked with a round trip only when it
has been idle for a while (webapp.db.PooledPostgres): a request right after
another pays no SELECT 1; one after a pause does, and a connection the
server closed meanwhile is replaced without the visitor noticing.
PostgreSQL runs only (TEST_DATABASE=postgresql)."""

import time

import psycopg
import pytest

from webapp.db import PooledPostgres, flask_db

from .dbbackend import PG_URL, backend

pytestmark = pytest.mark.skipif(backend.name != "postgresql", reason="the pool of PostgreSQL connections")


@pytest.fixture
def round_trips(monkeypatch):
    """The SELECT 1 checks the pool makes, as the driver sends them."""
    sent = []
    execute = psycopg.Cursor.execute

    def counting(self, query, *args, **kwargs):
        if str(query).strip().upper() == "SELECT 1":
            sent.append(query)
        return execute(self, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", counting)
    return sent


@pytest.mark.app_config(DATABASE_ALIVE_WITHOUT_CHECK_SECONDS=0.3)
def test_a_connection_just_given_back_is_handed_out_without_a_check(app, client, round_trips):
    assert isinstance(app.config["DATABASE"], PooledPostgres)
    assert client.get("/wilayah/32").status_code == 200
    round_trips.clear()
    for _ in range(5):
        assert client.get("/wilayah/32").status_code == 200
    assert round_trips == []  # five requests, none checked: each came right after the last
    time.sleep(0.4)
    assert client.get("/wilayah/32").status_code == 200
    assert len(round_trips) == 1  # idle longer than the window: checked as before


@pytest.mark.app_config(DATABASE_ALIVE_WITHOUT_CHECK_SECONDS=0.2)
def test_a_connection_the_server_closed_while_idle_is_replaced(app, client):
    assert client.get("/wilayah/32").status_code == 200
    with app.app_context():
        flask_db.database.connect(reuse_if_open=True)
        pid = flask_db.database.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
        flask_db.database.close()
    name = app.config["DATABASE_URL"].rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        rows = admin.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s AND datname = %s",
                             (pid, name)).fetchone()
    assert rows[0] == 0
    time.sleep(0.3)  # idle past the window: the pool checks, finds it closed, opens another
    response = client.get("/wilayah/32")
    assert response.status_code == 200 and "Bogor" in response.get_data(as_text=True)
