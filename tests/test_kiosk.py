"""Kiosk mode and idle sessions (SECURITY.md 3–4): the idle limit ends the
session on the server, "Selesai" ends it at once, only officers switch a
device to kiosk mode, and the warning can never be shorter than 20 s."""

import re
import time

import pytest

from webapp import create_app
from webapp.akun.models import ACTIVE, Account
from webapp.akun.session import KEY
from webapp.db import flask_db
from webapp.kiosk import COOKIE, SEEN

from .conftest import CAPTCHA, _config, form_fields, new_account
from .helpers import text

# The visible "Selesai" button's form in the header (kiosk mode only).
SELESAI = '<form method="post" action="/kiosk/selesai" class="kiosk-end">'
KIOSK = pytest.mark.app_config(KIOSK_MODE=True, KIOSK_IDLE_SECONDS=60, KIOSK_WARNING_SECONDS=20)



def cookie(client):
    found = client.get_cookie("session")
    return found.value if found else None


def make_account(app, role="warga"):
    with app.app_context():
        account = new_account(ACTIVE)
        Account.update(role=role).where(Account.id == account.id).execute()
        account = Account.get_by_id(account.id)
        flask_db.database.close()
    return account


def signed_in(client, account, seen_ago=0):
    """A session as akun's sign-in leaves it (officers: after the TOTP step),
    last seen `seen_ago` seconds ago."""
    now = int(time.time())
    with client.session_transaction() as session:
        session[KEY] = {"id": account.public_id, "v": account.session_version, "t": now - seen_ago}
        session[SEEN] = now - seen_ago
        session.permanent = True


def idle_for(client, seconds):
    with client.session_transaction() as session:
        session[SEEN] = int(time.time()) - seconds


def is_signed_in(client):
    response = client.get("/akun")
    return response.status_code == 200


def csrf(client, path="/"):
    return form_fields(text(client.get(path)))[0]


@pytest.fixture
def citizen(app):
    return make_account(app)


@KIOSK
def test_idle_past_the_limit_signs_out_on_the_server(app, client, citizen):
    signed_in(client, citizen)
    assert is_signed_in(client)
    saved = cookie(client)
    idle_for(client, 61)
    response = client.get("/akun")
    assert response.status_code == 302 and "/akun/masuk" in response.headers["Location"]
    # Ended on the server: a copy of the cookie from before is worthless too.
    replay = app.test_client()
    replay.set_cookie("session", saved)
    assert not is_signed_in(replay)


@KIOSK
def test_activity_within_the_limit_keeps_the_session(client, citizen):
    signed_in(client, citizen, seen_ago=55)
    assert is_signed_in(client)
    with client.session_transaction() as session:
        assert time.time() - session[SEEN] < 5
    idle_for(client, 59)
    assert is_signed_in(client)


@KIOSK
def test_a_stale_post_is_not_acted_on(client, registry_person):
    token = csrf(client)
    captcha = form_fields(text(client.get("/")))[1]
    idle_for(client, 61)
    data = {"csrf_token": token, "captcha_token": captcha, "captcha": CAPTCHA, "mode": "nik",
            "nik": registry_person.nik}
    response = client.post("/", data=data)
    assert response.status_code == 303 and response.headers["Location"] == "/"
    idle_for(client, 61)
    token = csrf(client)
    idle_for(client, 61)
    response = client.post("/", data=dict(data, csrf_token=token), headers={"HX-Request": "true"})
    assert response.status_code == 204 and response.headers["HX-Redirect"] == "/"


@KIOSK
def test_kiosk_pages_carry_the_limits_the_dialog_and_selesai(client):
    html = text(client.get("/akun/daftar"))
    assert 'data-kiosk-idle="60" data-kiosk-warning="20"' in html
    assert 'role="alertdialog"' in html and "Lanjutkan" in html
    assert "Sesi akan berakhir dalam 20 detik karena tidak ada aktivitas." in html
    assert SELESAI in html
    # Nothing typed is offered to the next person by the browser's autofill.
    fields = re.findall(r'<input type="(?:text|email|tel|password)"[^>]*>', html)
    assert fields and all('autocomplete="off"' in f for f in fields)


def test_outside_kiosk_mode_no_selesai_and_usual_autofill(client):
    html = text(client.get("/akun/daftar"))
    assert "data-kiosk-idle" not in html and "/kiosk/selesai" not in html and SELESAI not in html
    assert 'autocomplete="email"' in html


@KIOSK
def test_selesai_ends_the_session_and_a_replayed_cookie_is_signed_out(app, client, citizen):
    signed_in(client, citizen)
    assert is_signed_in(client)
    saved = cookie(client)
    response = client.post("/kiosk/selesai", data={"csrf_token": csrf(client, "/akun")})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert not is_signed_in(client)
    replay = app.test_client()
    replay.set_cookie("session", saved)
    assert not is_signed_in(replay)
    with app.app_context():
        assert Account.get_by_id(citizen.id).session_version == citizen.session_version + 1


@KIOSK
def test_selesai_after_the_limit_still_ends_cleanly(client, citizen):
    signed_in(client, citizen)
    token = csrf(client, "/akun")
    idle_for(client, 61)
    response = client.post("/kiosk/selesai", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert not is_signed_in(client)


@KIOSK
def test_ping_keeps_the_session_and_tells_when_it_had_ended(client, citizen):
    signed_in(client, citizen, seen_ago=50)
    token = csrf(client, "/akun")
    idle_for(client, 50)
    assert client.post("/kiosk/ping", headers={"X-CSRFToken": token}).status_code == 204
    with client.session_transaction() as session:
        assert time.time() - session[SEEN] < 5
    assert client.get("/kiosk/ping").status_code == 405
    idle_for(client, 61)
    response = client.post("/kiosk/ping", headers={"X-CSRFToken": token})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert not is_signed_in(client)


def test_signed_in_outside_kiosk_mode_idle_limit_is_30_minutes(client, citizen):
    signed_in(client, citizen)
    html = text(client.get("/akun"))
    assert 'data-kiosk-idle="1800" data-kiosk-warning="120"' in html
    assert "/kiosk/selesai" in html  # the hidden form the countdown submits
    idle_for(client, 29 * 60)
    assert is_signed_in(client)
    idle_for(client, 31 * 60)
    assert not is_signed_in(client)


def test_anonymous_visitors_outside_kiosk_mode_have_no_idle_timer(client):
    html = text(client.get("/"))
    assert "data-kiosk-idle" not in html and "idle-warning" not in html
    with client.session_transaction() as session:
        assert SEEN not in session


@pytest.mark.app_config(SESSION_IDLE_SECONDS=None)
def test_session_idle_limit_can_be_switched_off(client, citizen):
    signed_in(client, citizen)
    idle_for(client, 5 * 3600)
    assert is_signed_in(client)
    assert "data-kiosk-idle" not in text(client.get("/akun"))


def test_only_officers_switch_a_device_to_kiosk_mode(app, client, citizen):
    # Not signed in: to the sign-in page; a citizen: refused.
    response = client.post("/kiosk/aktifkan", data={"csrf_token": csrf(client)})
    assert response.status_code == 302 and "/akun/masuk" in response.headers["Location"]
    signed_in(client, citizen)
    assert client.get("/kiosk").status_code == 403
    response = client.post("/kiosk/aktifkan", data={"csrf_token": csrf(client, "/akun")})
    assert response.status_code == 403 and client.get_cookie(COOKIE) is None
    assert SELESAI not in text(client.get("/"))


def test_an_officer_switches_the_device_on_and_off(app, client):
    officer = make_account(app, role="petugas")
    signed_in(client, officer)
    page = text(client.get("/kiosk"))
    assert "Jadikan perangkat ini kios" in page
    response = client.post("/kiosk/aktifkan", data={"csrf_token": csrf(client, "/kiosk")})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    device = client.get_cookie(COOKIE)
    assert device is not None and device.http_only and device.expires is not None
    assert device.value != "1"  # signed
    # The officer's session ended; the device is now a kiosk for everyone.
    assert not is_signed_in(client)
    html = text(client.get("/"))
    assert 'data-kiosk-idle="180" data-kiosk-warning="30"' in html and SELESAI in html

    # A forged cookie does nothing.
    other = app.test_client()
    other.set_cookie(COOKIE, "1")
    assert SELESAI not in text(other.get("/"))

    signed_in(client, refreshed(app, officer))
    response = client.post("/kiosk/nonaktifkan", data={"csrf_token": csrf(client, "/kiosk")})
    assert response.status_code == 303
    assert client.get_cookie(COOKIE) is None
    assert SELESAI not in text(client.get("/"))


def refreshed(app, account):
    with app.app_context():
        found = Account.get_by_id(account.id)
        flask_db.database.close()
    return found


@pytest.mark.parametrize("settings, message", [
    ({"KIOSK_WARNING_SECONDS": 19}, "KIOSK_WARNING_SECONDS harus paling sedikit 20"),
    ({"KIOSK_IDLE_SECONDS": 30, "KIOSK_WARNING_SECONDS": 30}, "KIOSK_IDLE_SECONDS harus bilangan bulat"),
    ({"SESSION_IDLE_WARNING_SECONDS": 10}, "SESSION_IDLE_WARNING_SECONDS harus paling sedikit 20"),
])
def test_a_warning_shorter_than_20_seconds_refuses_to_start(tmp_path, settings, message):
    with pytest.raises(RuntimeError, match=message):
        create_app(_config(tmp_path, **settings))
