"""Captcha challenges as signed tokens.

A token is {nonce, kind, purpose} signed and timestamped with itsdangerous.
The purpose names the one form the token was minted for (PURPOSES), so a
challenge solved for one form is refused by every other. The answer
is derived from the nonce with a keyed hash (HMAC-SHA256 under the app's
secret), so any worker can draw the image and check a reply without shared
state, and nobody without the secret can compute it. A nonce is accepted once:
its use is recorded in Redis when configured, else in the database.
"""

import functools
import hashlib
import hmac
import logging
import random
import secrets
from datetime import timedelta

from flask import abort, current_app
from itsdangerous import BadSignature, SignatureExpired

from .. import clock
from ..db import atomic_write, is_sqlite
from ..redis_store import get_redis
from ..security import owed_lookup_over_limit, owed_lookup_then_insert
from ..signing import ShortValueSerializer
from .models import UsedNonce

log = logging.getLogger(__name__)

# No look-alikes: 0/O/Q/D, 1/I/L, 2/Z, 5/S, 8/B, 6/G, U/V.
IMAGE_ALPHABET = "ACEFHJKMNPRTWXY3479"
AUDIO_ALPHABET = "0123456789"
KINDS = ("image", "audio")
# The forms a challenge may be minted for; a token answers only its own.
PURPOSES = ("cek", "usulan_status", "kompat", "api_cek", "api_usulan_status")


class CaptchaError(Exception):
    """The reply was wrong, the token expired, was forged or was used before."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason  # wrong | expired | invalid | replayed


def _serializer():
    return _serializer_for(current_app.config["SECRET_KEY"])


@functools.lru_cache(maxsize=4)
def _serializer_for(secret):
    """One serializer per secret key: making one checks its JSON module by
    serializing a sample, twice a search (itsdangerous.Serializer.__init__)."""
    return ShortValueSerializer(secret, salt="captcha")


def new_token(kind="image", purpose="cek") -> str:
    return new_challenge(kind, purpose)[0]


def new_challenge(kind="image", purpose="cek"):
    """(token, answer) of a fresh challenge: the answer for drawing its image
    at once (the page's inline one) without reading back the token just signed."""
    if kind not in KINDS:
        kind = "image"
    if purpose not in PURPOSES:
        raise ValueError(f"unknown captcha purpose {purpose!r}")
    nonce = secrets.token_hex(12)
    return _serializer().dumps({"n": nonce, "k": kind, "u": purpose}), answer_for(nonce, kind)


def read_token(token: str, max_age=None, purpose=None):
    """(nonce, kind) of a valid token, or CaptchaError. With a purpose, a
    token minted for another form (or before purposes existed) is invalid."""
    ttl = max_age if max_age is not None else current_app.config["CAPTCHA_TTL_SECONDS"]
    try:
        data = _serializer().loads(token or "", max_age=ttl)
    except SignatureExpired as exc:
        raise CaptchaError("expired") from exc
    except BadSignature as exc:
        raise CaptchaError("invalid") from exc
    if not isinstance(data, dict) or data.get("k") not in KINDS or not isinstance(data.get("n"), str):
        raise CaptchaError("invalid")
    if purpose is not None and data.get("u") != purpose:
        raise CaptchaError("invalid")
    return data["n"], data["k"]


def test_answer(kind: str):
    """The fixed answer of testing/debug mode, or None. The audio clip can
    speak only digits: a fixed answer with letters is said (and must be
    typed) as CAPTCHA_TEST_AUDIO_ANSWER, by default the digits 13579."""
    fixed = current_app.config.get("CAPTCHA_TEST_ANSWER")
    if not fixed or not (current_app.testing or current_app.debug):
        return None
    fixed = str(fixed).upper()
    if kind == "audio" and not fixed.isdigit():
        return str(current_app.config["CAPTCHA_TEST_AUDIO_ANSWER"])
    return fixed


def answer_for(nonce: str, kind: str) -> str:
    fixed = test_answer(kind)
    if fixed:
        return fixed
    alphabet = IMAGE_ALPHABET if kind == "image" else AUDIO_ALPHABET
    length = current_app.config["CAPTCHA_LENGTH"]
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"captcha:{kind}:{nonce}".encode(), hashlib.sha256).digest()
    return "".join(alphabet[b % len(alphabet)] for b in digest[:length])


def _normalize_reply(reply) -> str:
    return "".join(str(reply or "").split()).upper()[:20]


# A nonce recorded before inserts nothing (no error, so the lookup count
# written in the same transaction stays).
_NONCE_SQL = "INSERT INTO used_nonce (nonce, expires_at) VALUES ({p}, {p}) ON CONFLICT (nonce) DO NOTHING"


def _mark_used(nonce: str) -> bool:
    """Records the nonce; False if it was recorded before. Atomically with
    it, first, the lookup count the request owes (lookup_limit with_captcha):
    over the limit, the nonce is not recorded and the answer is 429."""
    ttl = current_app.config["CAPTCHA_TTL_SECONDS"]

    client = get_redis()
    if client is not None:
        try:
            return bool(client.set(f"captcha:nonce:{nonce}", 1, nx=True, ex=ttl + 5))
        except Exception:  # noqa: BLE001 - any Redis failure: degrade to the database
            log.warning("Redis unavailable for captcha nonces; using the database")
    now = clock.utcnow()
    db = UsedNonce._meta.database
    expires = UsedNonce.expires_at.db_value(now + timedelta(seconds=ttl + 5))
    if is_sqlite():
        # One transaction, queued behind the worker's other writers like
        # every write; the insert written as SQL (building it cost more
        # than running it); the primary key keeps a second use out.
        fresh = False
        with atomic_write("nonce"):
            over = owed_lookup_over_limit()
            if not over:
                fresh = db.execute_sql(_NONCE_SQL.format(p=db.param), (nonce, expires)).rowcount == 1
    else:
        # PostgreSQL: the count and the insert are one statement, one round
        # trip to the database (security.owed_lookup_then_insert).
        over, fresh = owed_lookup_then_insert("used_nonce", {"nonce": nonce, "expires_at": expires})
    if over:
        abort(429)
    if not fresh:
        return False
    if random.random() < 0.02:  # noqa: S311 - housekeeping, not security
        UsedNonce.delete().where(UsedNonce.expires_at < now).execute()
    return True


def verify(token: str, reply: str, purpose="cek") -> None:
    """Accepts a right reply to a fresh, unused token minted for this form
    (purpose); raises CaptchaError otherwise. Any attempt uses the token up,
    so one image cannot be guessed at repeatedly; a token of another form is
    refused before it is used up."""
    nonce, kind = read_token(token, purpose=purpose)
    if not _mark_used(nonce):
        raise CaptchaError("replayed")
    if not hmac.compare_digest(_normalize_reply(reply), answer_for(nonce, kind)):
        raise CaptchaError("wrong")
