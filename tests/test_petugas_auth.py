"""Officer sign-in: password (webapp.akun) then a TOTP code; wrong and
replayed codes refused; the CLI that creates, disables and re-scopes."""

import pyotp
import pytest

from webapp.akun.models import Account
from webapp.db import flask_db
from webapp.petugas.models import AuditLog, OfficerProfile

from .test_petugas_support import DESA, OFFICER_PASSWORD, Officer, create_officer, text


@pytest.fixture
def officer(app, runner):
    return Officer(app, runner, "verifikator@contoh.test", "dinsos_verifikator", "32.76")


def test_right_code_signs_in_with_a_fresh_session(officer):
    response = officer.password_step()
    assert response.status_code == 303 and response.headers["Location"].endswith("/petugas/masuk/kode")
    # The password alone is not a session.
    assert officer.client.get("/petugas/").status_code == 302
    cookie_before = officer.client.get_cookie("session").value
    response = officer.code_step(officer.code())
    assert response.status_code == 303 and response.headers["Location"].endswith("/petugas/")
    assert officer.client.get_cookie("session").value != cookie_before
    page = officer.get("/petugas/")
    assert page.status_code == 200 and "<svg" in text(page) and "<rect" in text(page)
    assert "style=" not in text(page)


def test_wrong_code_is_refused(app, officer):
    officer.password_step()
    wrong = f"{(int(officer.code()) + 1) % 1_000_000:06d}"
    response = officer.code_step(wrong)
    assert response.status_code == 422 and "Kode salah" in text(response)
    assert officer.client.get("/petugas/").status_code == 302
    with app.app_context():
        assert AuditLog.select().where(AuditLog.action == "masuk_gagal").count() == 1
        flask_db.database.close()


def test_a_code_works_once(officer):
    code = officer.code()
    officer.password_step()
    assert officer.code_step(code).status_code == 303
    officer.post("/akun/keluar", csrf_from="/petugas/")
    officer.password_step()
    replay = officer.code_step(code)
    assert replay.status_code == 422 and "sudah dipakai" in text(replay)


def test_repeated_wrong_codes_lock_the_account(officer):
    officer.password_step()
    for _ in range(5):
        response = officer.code_step("000000")
    assert "Terlalu banyak" in text(response)
    assert officer.code_step(officer.code()).status_code == 422


def test_code_page_without_the_password_step_goes_to_sign_in(client):
    response = client.get("/petugas/masuk/kode")
    assert response.status_code == 302 and "/akun/masuk" in response.headers["Location"]


def test_sign_in_is_audited_without_personal_data(app, officer):
    officer.sign_in()
    with app.app_context():
        rows = list(AuditLog.select())
        account = Account.get(Account.email == officer.email)
        assert {r.action for r in rows} >= {"masuk_sandi", "masuk"}
        for r in rows:
            joined = " ".join(str(v) for v in (r.action, r.object_id, r.detail, r.region_code))
            assert account.nik not in joined and "Petugas Contoh" not in joined
        flask_db.database.close()


def test_cli_prints_a_working_secret_and_uri(app, runner):
    result = runner.invoke(args=["petugas", "buat", "--email", "op@contoh.test", "--nik", "3276060101700001",
                                 "--nama", "Operator Contoh", "--peran", "operator_desa", "--wilayah", DESA,
                                 "--sandi", OFFICER_PASSWORD])
    assert result.exit_code == 0, result.output
    assert "otpauth://totp/" in result.output and "3276060101700001" not in result.output
    with app.app_context():
        account = Account.get(Account.email == "op@contoh.test")
        profile = OfficerProfile.get(OfficerProfile.account == account.id)
        assert account.role == "operator_desa" and account.region_scope == DESA
        assert pyotp.TOTP(profile.totp_secret).now() and profile.totp_secret in result.output
        flask_db.database.close()


@pytest.mark.parametrize(("role", "region", "says"), [
    ("operator_desa", "32.76", "desa/kelurahan"),
    ("pemda", DESA, "kabupaten/kota"),
    ("pusat", "32", "tidak memakai"),
    ("dinsos_kepala", "99.99", "kabupaten/kota"),
])
def test_cli_checks_the_region_level(runner, role, region, says):
    result = runner.invoke(args=["petugas", "buat", "--email", "x@contoh.test", "--nik", "3276060101700001",
                                 "--nama", "X", "--peran", role, "--wilayah", region,
                                 "--sandi", OFFICER_PASSWORD])
    assert result.exit_code != 0 and says in result.output


def test_disabled_officer_is_signed_out_and_cannot_sign_in(officer, runner):
    officer.sign_in()
    result = runner.invoke(args=["petugas", "nonaktifkan", officer.email])
    assert result.exit_code == 0, result.output
    assert officer.client.get("/petugas/").status_code == 302
    officer.password_step()
    assert "tidak aktif" in text(officer.code_step(officer.code(30)))


def test_rescope_moves_the_officer_and_ends_the_session(app, officer, runner):
    officer.sign_in()
    result = runner.invoke(args=["petugas", "ubah-wilayah", officer.email, "--wilayah", "32.01"])
    assert result.exit_code == 0, result.output
    assert officer.client.get("/petugas/").status_code == 302
    with app.app_context():
        assert Account.get(Account.email == officer.email).region_scope == "32.01"
        flask_db.database.close()
    bad = runner.invoke(args=["petugas", "ubah-wilayah", officer.email, "--wilayah", DESA])
    assert bad.exit_code != 0


def test_duplicate_email_is_refused(runner):
    create_officer(runner, "sama@contoh.test", "pusat")
    result = runner.invoke(args=["petugas", "buat", "--email", "sama@contoh.test",
                                 "--nik", "3276060101700009", "--nama", "X", "--peran", "pusat",
                                 "--sandi", OFFICER_PASSWORD])
    assert result.exit_code != 0 and "sudah dipakai" in result.output


def test_cli_asks_for_the_password_twice_in_indonesian(app, runner):
    """Without --sandi the password is asked (hidden) and confirmed, every
    prompt and the mismatch message in Bahasa Indonesia."""
    args = ["petugas", "buat", "--email", "tanya@contoh.test", "--nik", "3276060101700001",
            "--nama", "Petugas Contoh", "--peran", "pusat"]
    password = "sandi-yang-panjang-sekali"
    result = runner.invoke(args=args, input=f"{password}\nsalah-ketik-sandinya\n{password}\n{password}\n")
    assert result.exit_code == 0, result.output
    assert "Kata sandi:" in result.output and "Ulangi untuk konfirmasi:" in result.output
    assert "kedua kata sandi tidak sama" in result.output
    for english in ("Repeat for confirmation", "do not match", "Sandi:"):
        assert english not in result.output
    assert password not in result.output
    with app.app_context():
        assert Account.get(Account.email == "tanya@contoh.test").role == "pusat"
        flask_db.database.close()
