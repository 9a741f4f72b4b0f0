"""The officer-issued one-time password code (issue #16): only an officer who
may verify accounts of that desa, after the KTP check; shown once (no-store),
printable; single use; expires; every issue and use audited; the officer
never sees or sets the password."""

import re
from datetime import timedelta

import pytest

from webapp.akun import codes
from webapp.akun.models import Account, EmailCode, utcnow
from webapp.petugas.models import AuditLog

from .conftest import PASSWORD
from .test_akun_tanpa_email import post
from .test_petugas_support import DESA, OTHER_DESA, Officer, citizen, text

NEW_PASSWORD = "sepeda biru di teras rumah nenek"


@pytest.fixture
def account(app):
    return citizen(app, email=None)


def issue(officer, account, confirmed=True):
    data = {"ktp_diperiksa": "y"} if confirmed else {}
    return officer.post(f"/petugas/akun/{account.public_id}/kode-sandi", data, csrf_from="/petugas/")


def code_of(response):
    return re.search(r'id="kode-sandi-petugas">(\d{4} \d{4})<', text(response)).group(1)


def use(client, nik, code, password=NEW_PASSWORD):
    return post(client, "/akun/lupa-sandi/kode-petugas", {"nik": nik, "kode": code, "password": password},
                "/akun/lupa-sandi/kode-petugas")


def audit(app, account):
    with app.app_context():
        return [row.detail for row in AuditLog.select().where(
            (AuditLog.action == "kode_sandi_petugas") & (AuditLog.object_id == account.public_id))
            .order_by(AuditLog.id)]


def test_the_desa_operator_issues_a_code_that_works_once(app, runner, client, account):
    operator = Officer(app, runner, "op.beji@contoh.test", "operator_desa", DESA).sign_in()
    found = text(operator.get(f"/petugas/akun?nik={account.nik}"))
    assert account.public_id in found
    refused = issue(operator, account, confirmed=False)
    assert refused.status_code == 422 and "Periksa KTP asli" in text(refused)
    response = issue(operator, account)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "hanya tampil sekali" in text(response) and "print.css" in text(response)
    assert account.nik not in text(response)  # the slip shows the NIK masked
    code = code_of(response)
    with app.app_context():
        row = EmailCode.get((EmailCode.account == account.id) & (EmailCode.purpose == codes.OFFICER))
        assert code.replace(" ", "") not in row.code_hash  # stored as an HMAC only
        before = Account.get_by_id(account.id).password_hash

    done = use(client, account.nik, code)
    assert done.status_code == 302 and done.headers["Location"].endswith("/akun/masuk?info=sandi")
    with app.app_context():
        assert Account.get_by_id(account.id).password_hash != before
    again = use(client, account.nik, code, password="sandi lain yang juga panjang")
    assert again.status_code == 422 and "sudah dipakai" in text(again)
    signed = post(client, "/akun/masuk", {"identitas": account.nik, "password": NEW_PASSWORD}, "/akun/masuk")
    assert signed.status_code == 302
    assert audit(app, account) == ["diterbitkan", "dipakai"]


def test_an_expired_code_is_refused_and_audited(app, runner, client, account):
    operator = Officer(app, runner, "op.beji@contoh.test", "operator_desa", DESA).sign_in()
    code = code_of(issue(operator, account))
    with app.app_context():
        EmailCode.update(expires_at=utcnow() - timedelta(seconds=1)).where(
            EmailCode.account == account.id).execute()
    response = use(client, account.nik, code)
    assert response.status_code == 422 and "kedaluwarsa" in text(response)
    assert audit(app, account) == ["diterbitkan", "gagal:expired"]
    assert post(client, "/akun/masuk", {"identitas": account.nik, "password": PASSWORD},
                "/akun/masuk").status_code == 302  # the old password still works


@pytest.mark.app_config(OFFICER_RESET_CODE_MINUTES=5)
def test_the_code_lives_the_configured_minutes(app, runner, account):
    operator = Officer(app, runner, "op.beji@contoh.test", "operator_desa", DESA).sign_in()
    issue(operator, account)
    with app.app_context():
        row = EmailCode.get(EmailCode.account == account.id)
        assert timedelta(minutes=4) < row.expires_at - row.created_at <= timedelta(minutes=5)


def test_wrong_codes_lock_the_code(app, runner, client, account):
    operator = Officer(app, runner, "op.beji@contoh.test", "operator_desa", DESA).sign_in()
    code = code_of(issue(operator, account)).replace(" ", "")
    wrong = f"{(int(code) + 1) % 10**8:08d}"
    for _ in range(codes.MAX_ATTEMPTS):
        use(client, account.nik, wrong)
    assert "Terlalu banyak kode salah" in text(use(client, account.nik, code))


def test_only_officers_who_may_verify_that_desa(app, runner, account):
    other_desa = Officer(app, runner, "op.lain@contoh.test", "operator_desa", OTHER_DESA).sign_in()
    assert issue(other_desa, account).status_code == 404
    other_kab = Officer(app, runner, "dinsos.bogor@contoh.test", "dinsos_verifikator", "32.01").sign_in()
    assert issue(other_kab, account).status_code == 404
    pemda = Officer(app, runner, "pemda@contoh.test", "pemda", "32.76").sign_in()
    assert issue(pemda, account).status_code == 403
    with app.app_context():
        assert not EmailCode.select().where(EmailCode.account == account.id).exists()
        denied = AuditLog.select().where((AuditLog.action == "akses_ditolak")
                                         & (AuditLog.object_id == account.public_id)).count()
    assert denied == 2
    dinsos = Officer(app, runner, "dinsos@contoh.test", "dinsos_verifikator", "32.76").sign_in()
    assert issue(dinsos, account).status_code == 200


@pytest.mark.app_config(ACCOUNT_VERIFY_BY_DESA=False)
def test_restricted_installation_operator_cannot_issue(app, runner, account):
    operator = Officer(app, runner, "op.beji@contoh.test", "operator_desa", DESA).sign_in()
    assert issue(operator, account).status_code == 403


def test_an_unknown_nik_reads_like_a_wrong_code(client):
    response = use(client, "3276061508900099", "1234 5678")
    assert response.status_code == 422 and "NIK atau kode tidak cocok" in text(response)
    assert NEW_PASSWORD not in text(response)
