"""E-mail codes: the whole journey over a real SMTP server, then each rule
(single use, 10 minutes, locked after 5 wrong tries, resend limits) and the
password reset."""

import re
from datetime import timedelta

import pytest

from webapp.akun import codes
from webapp.akun.models import EMAIL, OFFICER, PHOTOS, Account, EmailCode, utcnow

from .conftest import PASSWORD, AkunActions, form_fields, new_account
from .helpers import text
from .smtp import Outbox, smtp_app_config


def code_in(message):
    return re.search(r"^(\d{6})$", message.get_content(), re.MULTILINE).group(1)


def post_code(client, code, **extra):
    csrf = form_fields(text(client.get("/akun/verifikasi")))[0]
    return client.post("/akun/verifikasi", data={"csrf_token": csrf, "kode": code, **extra})


def test_the_code_journey_over_real_smtp(app, akun, client, smtp_server):
    app.config.update(smtp_app_config(smtp_server))
    assert akun.register().status_code == 302
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "warga.contoh@example.com"
    code = code_in(message)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    response = post_code(client, wrong)
    assert response.status_code == 422 and "Kode salah. Sisa percobaan: 4." in text(response)
    response = post_code(client, code)
    assert response.status_code == 302 and response.headers["Location"].endswith("/akun/foto")
    with app.app_context():
        assert Account.get().state == PHOTOS
        account = Account.get()
        # Replayed: the used code no longer works.
        assert codes.check_code(account, codes.VERIFY, code).outcome == "none"
    assert not Outbox(app).rows(), "sent, not kept in the outbox"


def test_a_new_code_can_be_asked_for_but_not_at_once(app, akun, client, smtp_server):
    app.config.update(smtp_app_config(smtp_server))
    akun.register()
    csrf = form_fields(text(client.get("/akun/verifikasi")))[0]
    html = text(client.post("/akun/verifikasi", data={"csrf_token": csrf, "kirim_ulang": "1"}))
    assert "Tunggu" in html and "detik" in html
    assert len(smtp_server.messages) == 1


def test_codes_are_stored_hashed_and_expire_after_10_minutes(db):
    account = new_account(EMAIL)
    then = utcnow() - timedelta(minutes=11)
    code = codes.issue_code(account, codes.VERIFY, now=then)
    row = EmailCode.get()
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert codes.check_code(account, codes.VERIFY, code).outcome == "expired"
    fresh = codes.issue_code(account, codes.VERIFY)
    assert codes.check_code(account, codes.VERIFY, code).outcome == "wrong"
    assert codes.check_code(account, codes.VERIFY, fresh).ok


def test_five_wrong_tries_lock_the_code_even_for_the_right_one(db):
    account = new_account(EMAIL)
    code = codes.issue_code(account, codes.VERIFY)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    outcomes = [codes.check_code(account, codes.VERIFY, wrong).outcome for _ in range(5)]
    assert outcomes == ["wrong"] * 4 + ["locked"]
    assert codes.check_code(account, codes.VERIFY, code).outcome == "locked"


def test_resend_waits_a_minute_and_at_most_five_an_hour(db):
    account = new_account(EMAIL)
    start = utcnow() - timedelta(minutes=50)
    codes.issue_code(account, codes.VERIFY, now=start)
    with pytest.raises(codes.TooSoon):
        codes.issue_code(account, codes.VERIFY, now=start + timedelta(seconds=30))
    for n in range(1, 5):
        codes.issue_code(account, codes.VERIFY, now=start + timedelta(minutes=2 * n))
    with pytest.raises(codes.TooSoon) as exc:
        codes.issue_code(account, codes.VERIFY, now=start + timedelta(minutes=20))
    assert exc.value.wait_seconds > 60


def test_a_new_code_replaces_the_old_one(db):
    account = new_account(EMAIL)
    old = codes.issue_code(account, codes.VERIFY, now=utcnow() - timedelta(minutes=2))
    new = codes.issue_code(account, codes.VERIFY)
    if old != new:
        assert codes.check_code(account, codes.VERIFY, old).outcome == "wrong"
    assert codes.check_code(account, codes.VERIFY, new).ok


def _status(response):
    return re.search(r'<p role="status">(.*?)</p>', text(response)).group(1)


def _reset(client, email, code=None, password=None):
    csrf = form_fields(text(client.get("/akun/lupa-sandi")))[0]
    if code is None:
        return client.post("/akun/lupa-sandi", data={"csrf_token": csrf, "email": email})
    return client.post("/akun/lupa-sandi/baru", data={"csrf_token": csrf, "email": email, "kode": code,
                                                      "password": password})


def test_password_reset_by_e_mail_code(app, client, akun, smtp_server):
    app.config.update(smtp_app_config(smtp_server))
    with app.app_context():
        new_account(OFFICER)
    other = app.test_client()
    assert akun.sign_in().status_code == 302
    unknown, known = _reset(client, "tidak.ada@example.com"), _reset(client, "warga.contoh@example.com")
    assert unknown.status_code == known.status_code == 200
    assert _status(unknown) == _status(known)  # nothing tells whether the e-mail has an account
    assert len(smtp_server.messages) == 1
    code = code_in(smtp_server.messages[0])
    response = _reset(client, "warga.contoh@example.com", code, "sandi baru yang cukup panjang")
    assert response.status_code == 302 and "info=sandi" in response.headers["Location"]
    # Used once only, and the old password is gone.
    again = _reset(client, "warga.contoh@example.com", code, "sandi lain yang cukup panjang")
    assert again.status_code == 422
    assert AkunActions(other).sign_in(password=PASSWORD).status_code == 422
    assert AkunActions(other).sign_in(password="sandi baru yang cukup panjang").status_code == 302


def test_reset_with_an_unknown_e_mail_reads_like_a_wrong_code(client):
    html = text(_reset(client, "tidak.ada@example.com", "123456", "sandi baru yang cukup panjang"))
    assert "Kode tidak berlaku atau sudah dipakai" in html

