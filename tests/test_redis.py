"""Redis, when configured, holds captcha nonces and rate-limit counters; when it
goes away the site keeps answering (SECURITY.md 31)."""

import contextlib
import os
import uuid

import pytest

from webapp.captcha.models import UsedNonce
from webapp.captcha.services import CaptchaError, answer_for, new_token, read_token, verify

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
DOWN_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def _redis_or_fail():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is not reachable at {REDIS_URL} ({exc}); CI must test it for real")
        pytest.skip(f"Redis not reachable at {REDIS_URL}")


@pytest.fixture
def redis_app(app):
    _redis_or_fail()
    app.config["REDIS_URL"] = REDIS_URL
    app.config["CAPTCHA_TEST_ANSWER"] = None
    return app


def test_nonce_is_recorded_in_redis_and_not_in_the_database(redis_app):
    import redis

    with redis_app.test_request_context():
        token = new_token()
        nonce, kind = read_token(token)
        verify(token, answer_for(nonce, kind))
        with pytest.raises(CaptchaError) as exc:
            verify(token, answer_for(nonce, kind))
        assert exc.value.reason == "replayed"
        assert not UsedNonce.select().where(UsedNonce.nonce == nonce).exists()
    client = redis.Redis.from_url(REDIS_URL)
    assert client.exists(f"captcha:nonce:{nonce}")
    assert 0 < client.ttl(f"captcha:nonce:{nonce}") <= redis_app.config["CAPTCHA_TTL_SECONDS"] + 5


PREFIX = uuid.uuid4().hex


@pytest.mark.app_config(RATELIMIT_ENABLED=True, LOOKUP_RATE_LIMIT="2 per minute",
                        RATELIMIT_STORAGE_URI=REDIS_URL, RATELIMIT_KEY_PREFIX=PREFIX)
def test_rate_limit_counters_live_in_redis(lookup):
    """Counters in Redis are what every worker and host sees."""
    import redis

    _redis_or_fail()
    assert lookup.by_nik("3276064506900001").status_code == 200
    assert lookup.by_nik("3276064506900001").status_code == 200
    assert lookup.by_nik("3276064506900001").status_code == 429
    keys = redis.Redis.from_url(REDIS_URL).keys(f"*{PREFIX}*")
    assert keys, "no rate-limit counter was written to Redis"


@pytest.mark.app_config(REDIS_URL=DOWN_URL, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=DOWN_URL)
def test_lookup_still_answers_when_redis_is_down(lookup, registry_person, caplog):
    response = lookup.by_nik(registry_person.nik)
    assert response.status_code == 200
    assert "DTSEN Triwulan" in response.get_data(as_text=True)
    # The nonce fell back to the database, so a replay is still refused.
    assert any("Redis unavailable" in r.getMessage() for r in caplog.records)


class _Relay:
    """A TCP relay to the real Redis on a port of its own: closing it is
    Redis going away mid-run (connections drop, the port refuses)."""

    def __init__(self, target):
        import socket
        import threading

        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets = []
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        import socket
        import threading

        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass

    def close(self):
        import socket

        self.closed = True
        for s in [self.listener, *self.sockets]:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)  # also wakes the thread blocked in accept()
            s.close()


def _post_lookup(client, csrf, token, nik):
    return client.post("/", data={"csrf_token": csrf, "captcha_token": token, "captcha": "24680",
                                  "mode": "nik", "nik": nik})


def test_redis_going_away_mid_run_keeps_lookups_and_replay_refusal(app, client, registry_person, caplog):
    """SECURITY.md 31: Redis configured and working, then gone. Lookups still
    answer 200; nonces go to the database, so a replayed captcha is still
    refused."""
    from urllib.parse import urlsplit

    import redis

    from .conftest import form_fields

    _redis_or_fail()
    target = urlsplit(REDIS_URL)
    relay = _Relay((target.hostname, target.port or 6379))
    url = f"redis://127.0.0.1:{relay.port}{target.path or '/0'}"
    app.config.update(REDIS_URL=url)
    try:
        csrf, token = form_fields(client.get("/").get_data(as_text=True))
        assert _post_lookup(client, csrf, token, registry_person.nik).status_code == 200
        with app.test_request_context():
            nonce, _kind = read_token(token)
        assert redis.Redis.from_url(REDIS_URL).exists(f"captcha:nonce:{nonce}")  # Redis was in use
        assert _post_lookup(client, csrf, token, registry_person.nik).status_code == 422
    finally:
        relay.close()

    caplog.clear()
    csrf, token = form_fields(client.get("/").get_data(as_text=True))
    first = _post_lookup(client, csrf, token, registry_person.nik)
    assert first.status_code == 200 and "DTSEN Triwulan" in first.get_data(as_text=True)
    with app.test_request_context():
        nonce, _kind = read_token(token)
        assert UsedNonce.select().where(UsedNonce.nonce == nonce).exists()  # the database fallback
    again = _post_lookup(client, csrf, token, registry_person.nik)
    assert again.status_code == 422 and "sudah dipakai" in again.get_data(as_text=True)
    assert any("Redis unavailable" in r.getMessage() for r in caplog.records)
    redis.Redis.from_url(REDIS_URL).delete(f"captcha:nonce:{nonce}")
