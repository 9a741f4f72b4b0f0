"""The per-client limit on failed sign-ins (LOGIN_RATE_LIMIT) holds across
gunicorn workers without Redis: the counter lives in the database, keyed on
an HMAC of the client address, not in each worker's memory."""


import pytest

from webapp import create_app
from webapp.db import close_all

from .conftest import PASSWORD, new_account, synthetic_nik
from .server import HttpClient, start_server

WORKERS = 4
LIMIT = 4
ATTEMPTS = 16


@pytest.fixture(scope="module")
def server(template_instance, tmp_path_factory):
    with start_server(template_instance, tmp_path_factory, workers=WORKERS, RATELIMIT_ENABLED=True,
                      LOGIN_RATE_LIMIT=f"{LIMIT} per minute;100 per hour") as served:
        yield served


def test_wrong_sign_ins_from_one_client_hit_the_limit_on_every_worker(server):
    app = create_app(server.config)
    with app.app_context():
        emails = [new_account(nik=synthetic_nik(serial=f"{8100 + i:04d}"),
                              email=f"batas{i}@example.com").email for i in range(4)]
        close_all()
    client = HttpClient(server.url)
    csrf = client.form("/akun/masuk")[0]
    statuses = []
    for i in range(ATTEMPTS):
        # Several accounts, one wrong try each at a time: the per-account lock
        # (5 failures) never applies; only the per-client limit can.
        status, html = client.post("/akun/masuk", {"csrf_token": csrf, "identitas": emails[i % len(emails)],
                                                   "password": "salah-sekali-" + str(i)})
        statuses.append(status)
        if status == 429:
            assert "Anda mencoba terlalu sering" in html
    assert statuses == [422] * LIMIT + [429] * (ATTEMPTS - LIMIT), statuses

    # The right password from the same client waits too.
    assert client.post("/akun/masuk", {"csrf_token": csrf, "identitas": emails[0],
                                       "password": PASSWORD})[0] == 429

    with app.app_context():
        from webapp.akun.models import ClientThrottle

        keys = [row.key for row in ClientThrottle.select()]
        close_all()
    assert len(keys) == 2  # one row per window of LOGIN_RATE_LIMIT
    assert all("127.0.0.1" not in key for key in keys)


def test_the_counter_is_off_when_rate_limits_are(app, client):
    """The test settings switch rate limits off; so does this counter."""
    from webapp.akun import services

    with app.test_request_context():
        for _ in range(30):
            services.record_client_failure("192.0.2.7")
        assert not services.client_blocked("192.0.2.7")
