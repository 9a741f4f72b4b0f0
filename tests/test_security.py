"""Walks every route: each POST refuses a missing CSRF token (SECURITY.md 8)
and no GET changes stored state (SECURITY.md 10)."""

import pytest
from werkzeug.routing import Rule

from webapp.db import all_models, flask_db

from .conftest import new_account

DUMMY = {"integer": 1, "float": 1.0, "unicode": "x", "string": "x", "path": "x/y"}


def _url(app, rule: Rule):
    values = {}
    for name, converter in rule._converters.items():
        kind = type(converter).__name__.replace("Converter", "").lower()
        values[name] = DUMMY.get(kind, "x")
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def _rules(app, method):
    return [r for r in app.url_map.iter_rules()
            if method in r.methods and not r.endpoint.endswith("static")]


def _row_counts():
    return {m._meta.table_name: m.select().count() for m in all_models()}


@pytest.fixture
def signed_in(app, client, akun):
    with app.app_context():
        new_account()
        flask_db.database.close()
    assert akun.sign_in().status_code in (302, 303)
    return client


def test_every_post_route_refuses_a_missing_csrf_token(app, signed_in):
    rules = _rules(app, "POST")
    assert len(rules) > 10
    for rule in rules:
        response = signed_in.post(_url(app, rule), data={"x": "1"})
        assert response.status_code == 400, (rule.rule, response.status_code)


def test_every_post_route_refuses_a_wrong_htmx_csrf_header(app, signed_in):
    for rule in _rules(app, "POST"):
        response = signed_in.post(_url(app, rule), data={"x": "1"},
                                  headers={"HX-Request": "true", "X-CSRFToken": "palsu"})
        assert response.status_code == 400, rule.rule


@pytest.mark.parametrize("who", ["anonymous", "citizen"])
def test_no_get_route_changes_stored_state(app, client, akun, who):
    if who == "citizen":
        with app.app_context():
            new_account()
            flask_db.database.close()
        akun.sign_in()
    with app.app_context():
        before = _row_counts()
        flask_db.database.close()
    codes = {}
    for rule in _rules(app, "GET"):
        response = client.get(_url(app, rule))
        codes[rule.rule] = response.status_code
        assert response.status_code < 500, rule.rule
        response.close()
    with app.app_context():
        after = _row_counts()
    changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]
               and t not in ("audit_log",)}  # a denied look is logged, by design
    assert not changed, changed
    assert len(codes) > 15


def _session_cookie_header(app, client, akun):
    with app.app_context():
        new_account()
        flask_db.database.close()
    response = akun.sign_in()
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))


def test_session_cookie_is_httponly_and_samesite_lax(app, client, akun):
    header = _session_cookie_header(app, client, akun)
    assert "HttpOnly" in header and "SameSite=Lax" in header
    assert "Secure" not in header  # plain HTTP here


@pytest.mark.app_config(HTTPS=True)
def test_over_https_the_cookie_is_secure_and_hsts_is_sent(app, client, akun):
    header = _session_cookie_header(app, client, akun)
    assert "Secure" in header
    assert "max-age=" in client.get("/").headers["Strict-Transport-Security"]
