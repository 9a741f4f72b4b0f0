"""Accounts without e-mail (issue #16) over HTTP: registration code by SMS
through a real Kannel, the whole journey without e-mail and without SMS
(register → photos → the desa operator verifies → propose → receipt), sign-in
by NIK, notices on the citizen's own pages, the setting that leaves account
verification to Dinas Sosial."""

import re

import pytest

from webapp.akun.models import ACTIVE, OFFICER, PHONE, PHOTOS, Account, Notice
from webapp.petugas.models import AuditLog
from webapp.usulan.models import Proposal

from .conftest import PASSWORD, form_fields, registration_data, synthetic_nik
from .test_petugas_support import DESA, OTHER_DESA, Officer, forget_csrf, jpeg, text
from .test_usulan import KK, NIK, fill_all

PHONE_DIGITS = "6281234567890"  # registration_data's 0812-3456-7890 as Kannel sees it


def register(client, **changes):
    forget_csrf()
    csrf = form_fields(text(client.get("/akun/daftar")))[0]
    forget_csrf()
    return client.post("/akun/daftar", data=registration_data(csrf, **changes))


def post(client, path, data, csrf_from, **kw):
    forget_csrf()
    data = dict(data, csrf_token=form_fields(text(client.get(csrf_from)))[0])
    forget_csrf()
    return client.post(path, data=data, **kw)


def upload_photos_and_send(client):
    for kind in ("ktp", "selfie"):
        response = post(client, f"/akun/foto/{kind}", {"berkas": (jpeg(), f"{kind}.jpg")}, "/akun/foto",
                        content_type="multipart/form-data")
        assert response.status_code == 302, text(response)
    response = post(client, "/akun/foto/kirim", {}, "/akun/foto")
    assert response.status_code == 302


@pytest.fixture
def sms_app(app, kannel):
    """The app sending SMS through the session's real Kannel."""
    app.config.update(kannel.app_config())
    kannel.clear()
    return app


def test_registration_without_email_sends_the_code_by_sms_through_kannel(sms_app, kannel, client):
    response = register(client, email="")
    assert response.status_code == 302 and response.headers["Location"].endswith("/akun/verifikasi")
    with sms_app.app_context():
        account = Account.get(Account.nik == synthetic_nik())
        assert (account.email, account.state) == (None, PHONE)
    page = text(client.get("/akun/verifikasi"))
    assert "Konfirmasi nomor HP" in page and "lewat SMS ke nomor +6281234567890" in page
    [sms] = kannel.wait_for(PHONE_DIGITS)
    assert sms.sender == "CekBansos"
    code = re.search(r"Kode Cek Bansos: (\d{6})\.", sms.text).group(1)
    wrong = post(client, "/akun/verifikasi", {"kode": "000000" if code != "000000" else "111111"},
                 "/akun/verifikasi")
    assert wrong.status_code == 422 and "Kode salah" in text(wrong)
    right = post(client, "/akun/verifikasi", {"kode": code}, "/akun/verifikasi")
    assert right.status_code == 302 and right.headers["Location"].endswith("/akun/foto")
    with sms_app.app_context():
        assert Account.get(Account.nik == synthetic_nik()).state == PHOTOS
    # The code reached the phone, never a log: not Kannel's, not ours (tests/logscan.py).
    assert code not in kannel.logs()


def test_notices_go_by_sms_and_stay_on_the_citizens_page(sms_app, kannel, client, runner):
    assert register(client, email="").status_code == 302
    [sms] = kannel.wait_for(PHONE_DIGITS)
    code = re.search(r"(\d{6})", sms.text).group(1)
    post(client, "/akun/verifikasi", {"kode": code}, "/akun/verifikasi")
    upload_photos_and_send(client)
    operator = Officer(sms_app, runner, "op.beji@contoh.test", "operator_desa", DESA).sign_in()
    with sms_app.app_context():
        aid = Account.get(Account.nik == synthetic_nik()).public_id
    response = operator.post(f"/petugas/akun/{aid}/putusan", {"keputusan": "tolak", "alasan": "foto_buram"},
                             csrf_from=f"/petugas/akun/{aid}")
    assert response.status_code == 303
    rejected = kannel.wait_for(PHONE_DIGITS, count=2)[-1]
    assert "Foto KTP buram" in rejected.text
    profile = text(client.get("/akun"))
    assert "Kabar untuk Anda" in profile and "Foto KTP buram atau terbalik." in profile


def test_a_new_password_code_by_sms_for_an_account_without_email(sms_app, kannel, client):
    from .test_petugas_support import citizen

    account = citizen(sms_app, email=None)
    asked = post(client, "/akun/lupa-sandi", {"email": account.nik}, "/akun/lupa-sandi")
    assert asked.status_code == 200 and "kode 6 angka sudah dikirim" in text(asked)
    [sms] = kannel.wait_for(PHONE_DIGITS)
    code = re.search(r"Kode Cek Bansos: (\d{6})\.", sms.text).group(1)
    done = post(client, "/akun/lupa-sandi/baru",
                {"email": account.nik, "kode": code, "password": "layang-layang putus di atas sawah"},
                "/akun/lupa-sandi")
    assert done.status_code == 302 and done.headers["Location"].endswith("/akun/masuk?info=sandi")
    assert code not in kannel.logs()


def test_whole_journey_without_email_and_without_sms(app, client, runner):
    """No e-mail, no SMS gateway: register, photos, the desa operator of the
    account's desa verifies, sign in by NIK, propose, receipt."""
    response = register(client, email="")
    assert response.status_code == 302 and response.headers["Location"].endswith("/akun/foto")
    upload_photos_and_send(client)
    with app.app_context():
        account = Account.get(Account.nik == synthetic_nik())
        assert account.state == OFFICER and account.email is None
    profile = text(client.get("/akun"))
    assert "menunggu verifikasi petugas" in profile and "Tidak ada" in profile

    # An operator of another desa does not see it; the operator of its desa does.
    elsewhere = Officer(app, runner, "op.lain@contoh.test", "operator_desa", OTHER_DESA).sign_in()
    assert account.public_id not in text(elsewhere.get("/petugas/akun"))
    assert elsewhere.get(f"/petugas/akun/{account.public_id}").status_code == 404
    operator = Officer(app, runner, "op.beji@contoh.test", "operator_desa", DESA).sign_in()
    assert "Verifikasi akun" in text(operator.get("/petugas/"))
    queue = text(operator.get("/petugas/akun"))
    assert account.public_id in queue
    response = operator.post(f"/petugas/akun/{account.public_id}/putusan", {"keputusan": "setujui"},
                             csrf_from=f"/petugas/akun/{account.public_id}")
    assert response.status_code == 303
    with app.app_context():
        assert Account.get_by_id(account.id).state == ACTIVE
        assert AuditLog.select().where((AuditLog.action == "putusan_akun")
                                       & (AuditLog.object_id == account.public_id)).count() == 1
        assert Notice.select().where(Notice.account == account.id).count() == 1

    # Sign in again by NIK (no e-mail exists) and propose.
    post(client, "/akun/keluar", {}, "/akun")
    signed = post(client, "/akun/masuk", {"identitas": synthetic_nik(), "password": PASSWORD}, "/akun/masuk")
    assert signed.status_code == 302
    assert "sudah diverifikasi petugas dan sekarang aktif" in text(client.get("/akun"))
    started = post(client, "/usulan/", {"no_kk": KK, "nik": NIK}, "/usulan/")
    assert started.status_code == 303, text(started)
    pid = re.search(r"/usulan/([^/]+)/data-diri", started.headers["Location"]).group(1)
    with app.app_context():
        fill_all(pid)  # the steps have their own tests (test_usulan_steps.py)
    sent = post(client, f"/usulan/{pid}/kirim", {}, f"/usulan/{pid}/periksa")
    assert sent.status_code == 303, text(sent)
    receipt = client.get(sent.headers["Location"])
    with app.app_context():
        number = Proposal.get(Proposal.public_id == pid).receipt_no
    assert receipt.status_code == 200 and number in text(receipt)


@pytest.mark.app_config(ACCOUNT_VERIFY_BY_DESA=False)
def test_an_installation_can_leave_account_verification_to_dinas_sosial(app, client, runner):
    assert register(client, email="").status_code == 302
    upload_photos_and_send(client)
    operator = Officer(app, runner, "op.beji@contoh.test", "operator_desa", DESA).sign_in()
    assert "Verifikasi akun" not in text(operator.get("/petugas/"))
    assert operator.get("/petugas/akun").status_code == 403
    dinsos = Officer(app, runner, "dinsos@contoh.test", "dinsos_verifikator", "32.76").sign_in()
    assert "Akun menunggu verifikasi" in text(dinsos.get("/petugas/akun"))


def test_an_email_is_still_accepted_and_gets_its_code_by_email(app, client, mail_outbox):
    response = register(client, email="warga.contoh@example.com")
    assert response.headers["Location"].endswith("/akun/verifikasi")
    assert "e-mail" in text(client.get("/akun/verifikasi"))
    assert re.search(r"\b\d{6}\b", mail_outbox.last().get_content())


def test_the_registration_page_says_email_is_optional(client):
    html = text(client.get("/akun/daftar"))
    assert "E-mail (boleh dikosongkan)" in html


def test_the_migration_lets_an_old_database_hold_accounts_without_email(app):
    """An install from before issue #16: account.email NOT NULL, no notice or
    SMS tables. init-db makes e-mail optional and keeps the accounts."""
    from playhouse.migrate import migrate

    from webapp import migrations
    from webapp.akun.services import register_account
    from webapp.db import flask_db
    from webapp.migrations import create_schema

    with app.app_context():
        db = flask_db.database
        register_account(synthetic_nik(serial="0101"), "3276060101100011", "Warga Lama", "Jl. Lama 1", "001",
                         "001", DESA, "+6281234567890", "lama@contoh.test", PASSWORD)
        db.execute_sql("DROP TABLE account_notice")
        db.execute_sql("DROP TABLE sms_sent")
        migrate(migrations._migrator(db).add_not_null("account", "email"))
        migrations.SchemaMigration.bind(db)
        migrations.SchemaMigration.delete().where(
            migrations.SchemaMigration.name == "m002_accounts_without_email").execute()
        assert not next(c for c in db.get_columns("account") if c.name == "email").null
        create_schema()
        assert next(c for c in db.get_columns("account") if c.name == "email").null
        assert db.table_exists("account_notice") and db.table_exists("sms_sent")
        assert Account.get(Account.email == "lama@contoh.test").name == "Warga Lama"
        register_account(synthetic_nik(serial="0102"), "3276060101100011", "Warga Baru", "Jl. Baru 1", "001",
                         "001", DESA, "+6281234567891", None, PASSWORD)
        create_schema()  # safe to repeat
        db.close()
