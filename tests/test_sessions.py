"""A worker remembers the session cookies whose signature it has checked
(webapp.sessions): the same cookie again is only read, still refused once
older than the session's lifetime; a forged or altered one is never taken."""

import time

import pytest

from webapp.sessions import CheckedCookieSessions


def _cookie(client):
    return client.get_cookie("session").value


def _open(app, value):
    with app.test_request_context("/", headers={"Cookie": f"session={value}"}) as ctx:
        return app.session_interface.open_session(app, ctx.request)


def test_a_cookie_checked_once_is_read_again_without_its_signature(app, client, monkeypatch):
    assert isinstance(app.session_interface, CheckedCookieSessions)
    client.get("/")  # the page puts the CSRF token in a new session cookie
    value = _cookie(client)
    app.session_interface._checked.clear()  # as on a worker that did not set it
    first = _open(app, value)
    assert value in app.session_interface._checked
    assert first.get("csrf_token")
    signed = []
    real = CheckedCookieSessions.get_signing_serializer

    def counting(self, app):
        signed.append(1)
        return real(self, app)

    monkeypatch.setattr(CheckedCookieSessions, "get_signing_serializer", counting)
    again = _open(app, value)
    assert signed == [] and dict(again) == dict(first)
    again["kiosk"] = "changed"  # each request gets a session of its own
    assert "kiosk" not in _open(app, value)


def test_the_cookie_a_worker_sets_is_known_to_it_without_a_check(app, client, monkeypatch):
    """The page that starts a visit sets the session cookie; the visit's next
    request to the same worker reads it without checking its signature."""
    checks = []
    real = CheckedCookieSessions.get_signing_serializer

    def counting(self, app):
        serializer = real(self, app)
        checks.append(serializer)
        return serializer

    client.get("/")
    value = _cookie(client)
    assert value in app.session_interface._checked
    monkeypatch.setattr(CheckedCookieSessions, "get_signing_serializer", counting)
    assert _open(app, value).get("csrf_token")
    assert checks == []


def test_session_cookies_read_as_flask_signs_them_and_the_other_way(app, client):
    """The session's HMAC is computed in C (webapp.signing), the same SHA-1
    signature Flask's own interface makes: cookies from before still read,
    and Flask's interface reads ours."""
    from flask.sessions import SecureCookieSessionInterface

    client.get("/")
    ours = _cookie(client)
    stock = SecureCookieSessionInterface().get_signing_serializer(app)
    data = stock.loads(ours)
    assert data.get("csrf_token")
    theirs = stock.dumps({"csrf_token": "a" * 40, "lang": "en"})
    assert dict(_open(app, theirs)) == {"csrf_token": "a" * 40, "lang": "en"}


def test_a_remembered_cookie_still_ends_with_the_session_lifetime(app, client, monkeypatch):
    client.get("/")
    value = _cookie(client)
    assert _open(app, value).get("csrf_token")
    lifetime = app.permanent_session_lifetime.total_seconds()
    later = time.time() + lifetime + 5
    monkeypatch.setattr(time, "time", lambda: later)
    assert dict(_open(app, value)) == {}


def test_a_forged_or_altered_cookie_is_refused_and_not_remembered(app, client):
    client.get("/")
    value = _cookie(client)
    assert _open(app, value).get("csrf_token")
    payload, stamp, signature = value.rsplit(".", 2)
    altered = f"{payload}.{stamp}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    assert dict(_open(app, altered)) == {}
    assert altered not in app.session_interface._checked
    assert dict(_open(app, "eyJjc3JmX3Rva2VuIjoieCJ9.aaaaaa.forged")) == {}


def test_short_values_sign_as_itsdangerous_does_and_both_read_each_other():
    """webapp.signing: a short token is signed without the zlib attempt;
    for a random one the value is itsdangerous' own, and each reads the other's
    values, compressed ones included."""
    import secrets

    from itsdangerous import URLSafeTimedSerializer

    from webapp.signing import ShortValueSerializer

    theirs = URLSafeTimedSerializer("k" * 40, salt="captcha")
    ours = ShortValueSerializer("k" * 40, salt="captcha")
    stamp = int(time.time())
    for serializer in (ours, theirs):  # one second for both: the same signature
        serializer.signer = type("Stamped", (serializer.signer,), {"get_timestamp": lambda self: stamp})
    for obj in ({"n": secrets.token_hex(12), "k": "image", "u": "cek"}, {"csrf_token": secrets.token_hex(20)},
                {"x": "abc" * 30}, {"x": "y" * 500}, ["a", 1, None]):
        mine, its = ours.dumps(obj), theirs.dumps(obj)
        assert ours.loads(its) == obj and theirs.loads(mine) == obj
        if len(mine) < 100 and "abc" not in str(obj):
            assert mine == its  # the same payload, stamp and SHA-1 signature
    assert ours.dumps({"x": "y" * 500}).startswith(".")  # a long one is still compressed


def test_signers_made_once_still_read_every_key_of_a_rotation_and_keep_salts_apart():
    """webapp.signing keeps one signer per salt and each key's derived key:
    a rotation (the old key as a fallback) still reads values of both keys,
    signs with the newest, and a value of one salt never reads under another."""
    from itsdangerous import BadSignature

    from webapp.signing import ShortValueSerializer

    old = ShortValueSerializer("o" * 40, salt="captcha")
    both = ShortValueSerializer(["o" * 40, "n" * 40], salt="captcha")
    new = ShortValueSerializer("n" * 40, salt="captcha")
    for _ in range(2):  # the second time from the signers and keys made the first
        assert both.loads(old.dumps({"a": 1})) == {"a": 1}
        assert new.loads(both.dumps({"b": 2})) == {"b": 2}
        with pytest.raises(BadSignature):
            old.loads(both.dumps({"c": 3}))
        assert both.loads(both.dumps({"d": 4}, salt="other"), salt="other") == {"d": 4}
        with pytest.raises(BadSignature):
            both.loads(both.dumps({"d": 4}, salt="other"))
