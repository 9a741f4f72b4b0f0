"""Redis, when configured, holds captcha nonces and rate-limit counters; when it
goes away the site keeps answering (SECURITY.md 31)."""

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
