"""Sign-in and sign-out: fresh session, nothing personal in the cookie,
revocation on the server, throttling shared across workers, no caching."""

import html as html_module
import json
import re
import time

import pytest

from webapp.akun.models import ACTIVE
from webapp.akun.session import KEY
from webapp.db import flask_db

from .conftest import AkunActions, form_fields, new_account, synthetic_nik
from .helpers import text


def cookie(client):
    found = client.get_cookie("session")
    return found.value if found else None


@pytest.fixture
def citizen(app):
    # Made in its own app context: one kept open would share `g` (and the
    # CSRF token cached there) between the test clients.
    with app.app_context():
        account = new_account(ACTIVE)
        flask_db.database.close()
    return account


def test_sign_in_with_nik_or_e_mail_renews_the_session(citizen, akun, client):
    client.get("/akun/masuk")
    before = cookie(client)
    response = akun.sign_in(identity=synthetic_nik())
    assert response.status_code == 302 and response.headers["Location"].endswith("/akun")
    assert cookie(client) != before
    assert akun.sign_out().status_code == 302
    assert akun.sign_in(identity="WARGA.CONTOH@example.com").status_code == 302


def test_the_cookie_holds_no_nik_kk_role_or_e_mail(citizen, akun, client, app):
    akun.sign_in()
    data = app.session_interface.get_signing_serializer(app).loads(cookie(client))
    flat = repr(data)
    assert set(data[KEY]) == {"id", "v", "t"}
    for secret in (citizen.nik, citizen.no_kk, citizen.email, "warga", citizen.phone):
        assert secret not in flat


def test_sign_out_ends_the_session_on_the_server(citizen, akun, client, app):
    akun.sign_in()
    saved = cookie(client)
    assert client.get("/akun").status_code == 200
    assert akun.sign_out().status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", saved)
    response = replay.get("/akun")
    assert response.status_code == 302 and "/akun/masuk" in response.headers["Location"]


def test_sign_out_is_post_only(citizen, akun, client):
    akun.sign_in()
    assert client.get("/akun/keluar").status_code == 405
    assert client.get("/akun").status_code == 200


def test_personal_pages_are_not_cached(citizen, akun, client):
    akun.sign_in()
    for path in ("/akun", "/akun/foto"):
        response = client.get(path)
        assert "no-store" in response.headers["Cache-Control"]
        assert 'hx-history="false"' in text(response)


def test_past_the_absolute_lifetime_sign_in_again(citizen, akun, client, app):
    akun.sign_in()
    with client.session_transaction() as session:
        session[KEY] = dict(session[KEY], t=int(time.time()) - 9 * 3600)
    assert client.get("/akun").status_code == 302


def test_wrong_password_and_unknown_account_read_the_same(citizen, akun):
    wrong = text(akun.sign_in(password="bukan sandinya"))
    unknown = text(akun.sign_in(identity="tidak.ada@example.com", password="bukan sandinya"))
    message = "NIK/e-mail atau kata sandi salah."
    assert message in wrong and message in unknown


@pytest.mark.parametrize("identity", ["warga.contoh@example.com", "tidak.ada@example.com"])
def test_five_wrong_passwords_lock_the_identifier_for_15_minutes(citizen, app, identity):
    # Two clients stand for two workers: the count lives in the database.
    first, second = AkunActions(app.test_client()), AkunActions(app.test_client())
    for n in range(5):
        (first if n % 2 else second).sign_in(identity=identity, password=f"salah {n} kali")
    response = first.sign_in(identity=identity, password="kuda lari di sawah hijau")
    assert response.status_code == 422
    assert re.search(r"Coba lagi setelah pukul \d\d:\d\d", text(response))


def test_the_lock_does_not_reveal_whether_an_account_exists(citizen, app):
    pages = []
    for identity in ("warga.contoh@example.com", "tidak.ada@example.com"):
        client = AkunActions(app.test_client())
        for n in range(6):
            last = client.sign_in(identity=identity, password=f"salah {n}")
        pages.append(re.search(r'<p class="error"[^>]*>(.*?)</p>', text(last)).group(1))
    assert pages[0] == pages[1]


@pytest.mark.app_config(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
def test_one_client_is_limited_across_accounts(citizen, client):
    akun = AkunActions(client)
    statuses = [akun.sign_in(identity=f"orang{n}@example.com", password="salah sekali").status_code
                for n in range(4)]
    assert statuses == [422, 422, 422, 429]
    assert "Anda mencoba terlalu sering" in text(akun.sign_in(identity="x@example.com", password="y"))


@pytest.mark.app_config(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute")
def test_a_forged_forwarded_for_does_not_escape_the_limit(citizen, app):
    client = app.test_client()
    csrf = form_fields(text(client.get("/akun/masuk")))[0]
    statuses = [client.post("/akun/masuk", data={"csrf_token": csrf, "identitas": "a@example.com",
                                                 "password": "salah sekali"},
                            headers={"X-Forwarded-For": f"10.0.0.{n}"}).status_code for n in range(3)]
    assert statuses == [422, 422, 429]  # TRUSTED_PROXY_COUNT 0 (the default): the header is ignored


def test_next_only_leads_within_the_site(citizen, akun):
    assert akun.sign_in(next="/usulan/").headers["Location"].endswith("/usulan/")
    akun.sign_out()
    assert akun.sign_in(next="//jahat.example/").headers["Location"].endswith("/akun")


def test_sign_in_without_csrf_is_refused(citizen, client):
    response = client.post("/akun/masuk", data={"identitas": "warga.contoh@example.com",
                                                "password": "kuda lari di sawah hijau"})
    assert response.status_code == 400


def test_nav_shows_sign_in_or_sign_out(citizen, akun, client):
    html = text(client.get("/"))
    assert 'href="/akun/masuk"' in html and 'href="/akun/daftar"' in html
    akun.sign_in()
    html = text(client.get("/"))
    assert 'action="/akun/keluar"' in html and ">Keluar<" in html
    assert 'href="/akun/masuk"' not in html


def test_a_cookie_from_before_sign_in_does_not_carry_the_signed_in_session(citizen, app):
    """Session fixation (SECURITY.md 1): a cookie planted before sign-in is
    replaced at sign-in, and whoever kept it is still signed out."""
    attacker = app.test_client()
    attacker.get("/akun/masuk")
    planted = cookie(attacker)
    assert planted
    victim = app.test_client()
    victim.set_cookie("session", planted)
    assert AkunActions(victim).sign_in().status_code == 302
    assert cookie(victim) != planted
    assert victim.get("/akun").status_code == 200
    response = attacker.get("/akun")  # still the planted value
    assert response.status_code == 302 and "/akun/masuk" in response.headers["Location"]
    replay = app.test_client()
    replay.set_cookie("session", planted)
    assert replay.get("/akun").status_code == 302


def _htmx_config(html):
    found = re.search(r'<meta name="htmx-config" content="([^"]+)"', html)
    assert found, "no htmx-config meta"
    return json.loads(html_module.unescape(found.group(1)))


def test_htmx_history_cache_is_off_on_every_page(citizen, akun, client):
    """SECURITY.md 3: htmx keeps no copy of a page for Back, and asks the
    server again (which then answers signed-out) instead."""
    pages = ["/", "/akun/masuk"]
    akun.sign_in()
    pages += ["/akun", "/akun/foto", "/usulan/", "/sanggahan/"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        config = _htmx_config(text(response))
        assert config["historyCacheSize"] == 0 and config["refreshOnHistoryMiss"] is True, path
        assert "no-store" in response.headers["Cache-Control"], path
    for path in ("/akun", "/akun/foto"):
        assert 'hx-history="false"' in text(client.get(path)), path


def test_after_an_ordinary_sign_out_back_shows_nothing_personal(citizen, akun, client):
    """SECURITY.md 3 outside kiosk mode: the personal page was no-store, and
    what Back re-requests after sign-out is the sign-in page, also no-store."""
    akun.sign_in()
    page = client.get("/akun")
    assert page.status_code == 200 and citizen.email in text(page)
    assert "no-store" in page.headers["Cache-Control"]
    out = akun.sign_out()
    assert "no-store" in out.headers["Cache-Control"]
    for path in ("/akun", "/akun/foto", "/usulan/"):
        back = client.get(path, headers={"HX-History-Restore-Request": "true", "HX-Request": "true"})
        if back.status_code == 200:  # htmx asked: the sign-in page, not the old one
            assert "/akun/masuk" in text(back) or "/akun/masuk" in back.headers.get("HX-Redirect", ""), path
        else:
            assert back.status_code in (302, 303), (path, back.status_code)
        assert "no-store" in back.headers["Cache-Control"], path
        for secret in (citizen.email, citizen.name, citizen.nik):
            assert secret not in text(back), path
        plain = client.get(path, follow_redirects=True)
        assert "no-store" in plain.headers["Cache-Control"], path
        for secret in (citizen.email, citizen.name, citizen.nik):
            assert secret not in text(plain), path


@pytest.mark.app_config(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute", TRUSTED_PROXY_COUNT=1)
def test_behind_one_trusted_proxy_the_forwarded_client_is_the_key(citizen, app):
    """SECURITY.md 15, the other half: with TRUSTED_PROXY_COUNT=1 the address
    the proxy appended is each client's own key; what a client prepends
    itself is still ignored."""
    client = app.test_client()
    csrf = form_fields(text(client.get("/akun/masuk")))[0]

    def attempt(forwarded):
        return client.post("/akun/masuk", data={"csrf_token": csrf, "identitas": "a@example.com",
                                                "password": "salah sekali"},
                           headers={"X-Forwarded-For": forwarded}).status_code

    assert [attempt(f"10.0.0.{n}") for n in range(4)] == [422] * 4  # four clients, one try each
    assert [attempt(f"6.6.6.{n}, 10.0.1.1") for n in range(3)] == [422, 422, 429]  # one client


@pytest.mark.app_config(CAPTCHA_TEST_ANSWER=None)
def test_the_cookie_never_holds_a_captcha_answer(app, client):
    """SECURITY.md 7: the captcha's answer lives in no cookie; the token is
    in the page, signed, and the answer is derived on the server."""
    from webapp.captcha.services import answer_for, read_token

    html = text(client.get("/"))
    _csrf, token = form_fields(html)
    with app.test_request_context():
        answer = answer_for(*read_token(token))
    raw = cookie(client)
    data = app.session_interface.get_signing_serializer(app).loads(raw) if raw else {}
    assert answer not in repr(data) and token not in repr(data)


def test_passwords_are_stored_with_scrypt(citizen):
    """SECURITY.md 18: the stored hash is scrypt (werkzeug's format)."""
    assert citizen.password_hash.startswith("scrypt:")
    assert "kuda lari" not in citizen.password_hash
