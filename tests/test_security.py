"""Walks every route: each POST refuses a missing CSRF token (SECURITY.md 8)
and no GET changes stored state (SECURITY.md 10)."""

import re

import pytest
from werkzeug.routing import Rule

from webapp.db import all_models, flask_db

from .conftest import new_account, synthetic_nik


def _jpeg():
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(out, "JPEG")
    return out.getvalue()

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


def _refused(rule, response):
    """400 for our forms; 419 for the real site's contract (docs/api.md), as
    there; the JSON API carries no cookie authority (a captcha or a partner
    key instead), so a form post without them is refused as bad input (422)
    or an unknown address (404), in JSON. The SMS gateway's endpoint carries
    no cookie authority either: the gateway's address and shared secret (401,
    403), and without a secret configured it does not exist (404)."""
    if rule.endpoint.startswith("kompat."):
        return response.status_code == 419
    if rule.endpoint.startswith(("api.", "api_pages.")):
        return response.status_code in (404, 422) and response.is_json
    if rule.endpoint.startswith("sms."):
        return response.status_code in (401, 403, 404)
    return response.status_code == 400


def test_every_post_route_refuses_a_missing_csrf_token(app, signed_in):
    rules = _rules(app, "POST")
    assert len(rules) > 10
    for rule in rules:
        response = signed_in.post(_url(app, rule), data={"x": "1"})
        assert _refused(rule, response), (rule.rule, response.status_code)


def test_every_post_route_refuses_a_wrong_htmx_csrf_header(app, signed_in):
    for rule in _rules(app, "POST"):
        response = signed_in.post(_url(app, rule), data={"x": "1"},
                                  headers={"HX-Request": "true", "X-CSRFToken": "palsu"})
        assert _refused(rule, response), rule.rule


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


def _looks_random(a, b, shortest=22):
    """Two ids of records made one after the other: long URL-safe tokens,
    not numbers, and nowhere near each other even read as hex."""
    for value in (a, b):
        assert isinstance(value, str) and len(value) >= shortest, value
        assert re.fullmatch(r"[A-Za-z0-9_-]+", value), value
        assert not value.isdigit(), value
    assert a != b
    if all(re.fullmatch(r"[0-9a-f]+", v) for v in (a, b)):
        assert abs(int(a, 16) - int(b, 16)) > 2**64, (a, b)


def test_ids_in_urls_are_random_tokens_not_sequences(app, db, registry_person):
    """SECURITY.md 13: two accounts, photos, proposals (with their document
    URLs) and objections made in a row get unrelated random ids, and the
    URLs carry those, never the integer row id."""
    from flask import url_for

    from webapp import uploads
    from webapp.akun.models import Photo
    from webapp.sanggahan import services as sanggahan
    from webapp.usulan import services as usulan

    accounts = [new_account(nik=synthetic_nik(serial=s), email=f"w{s}@example.com") for s in ("0011", "0012")]
    photos = [Photo.create(account=a, kind="ktp", name=uploads.store(_jpeg(), "akun")) for a in accounts]
    proposals = [usulan.start(a, kk, a.nik).proposal
                 for a, kk in zip(accounts, ("3276060101100021", "3276060101100022"), strict=True)]
    reason = sorted(sanggahan.REASONS)[0]
    objections = [sanggahan.create(a, registry_person, sanggahan.SANGGAH, reason, None, True)
                  for a in accounts]
    assert all(proposals), "a proposal could not be started"
    for first, second in (accounts, photos, proposals, objections):
        _looks_random(first.public_id, second.public_id)
    with app.test_request_context():
        urls = {
            "akun": [url_for("petugas.akun_detail", aid=a.public_id) for a in accounts],
            "foto": [url_for("akun.foto_lihat", public_id=p.public_id) for p in photos],
            "usulan": [url_for("usulan.detail", pid=p.public_id) for p in proposals],
            "dokumen": [url_for("usulan.document", pid=p.public_id, kind="kk") for p in proposals],
            "sanggahan": [url_for("sanggahan.detail", oid=o.public_id) for o in objections],
        }
    for kind, pair in urls.items():
        for url in pair:
            assert not re.search(r"/\d+(/|\.jpg|$)", url), (kind, url)


# Every URL variable names a random public id, a token, a code or a file; the
# only integer in a URL is a family member's row within the citizen's own
# proposal (looked up together with that proposal, so guessing it gains nothing).
URL_VARIABLES = {"pid", "oid", "aid", "public_id", "photo_id", "mid", "job_id", "token", "kode", "kind",
                 "name", "filename"}


def test_no_route_takes_a_sequential_id(app):
    integers = set()
    for rule in app.url_map.iter_rules():
        for name, converter in rule._converters.items():
            assert name in URL_VARIABLES, (rule.rule, name)
            if type(converter).__name__ in ("IntegerConverter", "FloatConverter"):
                integers.add(rule.rule)
    assert integers == {"/usulan/<pid>/anggota/<int:mid>/ubah", "/usulan/<pid>/anggota/<int:mid>/hapus"}


def test_a_lookup_result_never_shows_the_nik_or_its_birth_date_digits(lookup, registry_person):
    """SECURITY.md 24: neither the NIK nor its digits 7-12 (the birth date)
    appear on the page, by name or by NIK."""
    for response in (lookup.by_nik(registry_person.nik),
                     lookup.by_name(registry_person.desa_code, registry_person.name)):
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "DTSEN Triwulan" in html
        start = html.find('<section class="result"')
        result = html[start:html.find("</section>", start)]
        assert start >= 0 and registry_person.nik not in result
        assert not re.search(rf"(?<![A-Za-z0-9_-]){registry_person.nik[6:12]}(?![A-Za-z0-9_-])", result)
