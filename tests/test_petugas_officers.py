"""Officer accounts in the UI: a higher officer creates, re-scopes, disables
and resets officers below it inside its region only; enrolment by QR code
with the secret shown once; single-use recovery codes; every step audited."""

import html
import re
import time

import pyotp
import pytest

from webapp.akun.models import Account
from webapp.petugas import officers, totp
from webapp.petugas.models import AuditLog, OfficerEnrolment, RecoveryCode

from .test_petugas_support import DESA, OFFICER_PASSWORD, OTHER_DESA, Officer, forget_csrf, text

NEW_NIK = "3276065505850009"  # synthetic: Beji, born 15-05-1985, female


@pytest.fixture
def kepala(app, runner):
    return Officer(app, runner, "kepala@contoh.test", "dinsos_kepala", "32.76").sign_in()


def create(kepala, **changes):
    data = {"email": "baru@contoh.test", "nik": NEW_NIK, "nama": "Petugas Baru", "peran": "operator_desa",
            "wilayah": DESA}
    data.update(changes)
    return kepala.post("/petugas/petugas/baru", data, csrf_from="/petugas/petugas/baru")


def link_of(response):
    return re.search(r"<code>http://localhost(/petugas/aktivasi/[^<]+)</code>", text(response)).group(1)


def actions(action):
    return list(AuditLog.select().where(AuditLog.action == action))


class Enrolling:
    """The new officer on their own phone and browser."""

    def __init__(self, app, link, email="baru@contoh.test"):
        self.client, self.link, self.email = app.test_client(), link, email
        self.secret = None

    def csrf(self, path):
        forget_csrf()
        return re.search(r'name="csrf_token" value="([^"]+)"', text(self.client.get(path))).group(1)

    def show_qr(self, password=OFFICER_PASSWORD):
        data = {"csrf_token": self.csrf(self.link), "sandi": password, "ulang": password}
        response = self.client.post(self.link, data=data)
        found = re.search(r"<code>([A-Z2-7]{32})</code>", text(response))
        self.secret = found.group(1) if found else None
        return response

    def confirm(self, code=None):
        code = code or pyotp.TOTP(self.secret).now()
        return self.client.post(self.link + "/kode", data={"csrf_token": self.csrf(self.link), "kode": code})

    def as_officer(self, app):
        officer = Officer.__new__(Officer)
        officer.app, officer.email, officer.role = app, self.email, "operator_desa"
        officer.secret = self.secret
        officer.client = app.test_client()
        return officer


def test_a_kepala_creates_an_officer_below_inside_its_region(app, kepala):
    response = create(kepala)
    assert response.status_code == 200 and "tidak ditampilkan lagi" in text(response)
    link = link_of(response)
    account = Account.get(Account.email == "baru@contoh.test")
    assert (account.role, account.region_scope) == ("operator_desa", DESA)
    [row] = [r for r in actions("petugas_dibuat") if r.object_id == account.public_id]
    assert row.actor_id == Account.get(Account.email == "kepala@contoh.test").id
    assert row.detail == "operator_desa"
    # Only the token's hash is kept: the link is not in the database.
    assert link.rsplit("/", 1)[1] not in {e.token_hash for e in OfficerEnrolment.select()}
    listing = text(kepala.get("/petugas/petugas"))
    assert "baru@contoh.test" in listing and "Belum aktivasi" in listing


@pytest.mark.parametrize("changes, message", [
    ({"peran": "dinsos_verifikator", "wilayah": "32.76"}, "di bawah tingkat Anda"),  # beside
    ({"peran": "pusat", "wilayah": ""}, "di bawah tingkat Anda"),  # above
    ({"wilayah": OTHER_DESA}, "di luar wilayah kerja Anda"),  # outside
    ({"wilayah": "32.76"}, "Kode wilayah desa/kelurahan"),  # wrong level
    ({"nik": "12345"}, "NIK"),
])
def test_never_above_beside_or_outside(kepala, changes, message):
    response = create(kepala, **changes)
    assert response.status_code == 422 and message in text(response)
    assert 'value="Petugas Baru"' in text(response)  # what was typed stays
    assert not Account.select().where(Account.email == "baru@contoh.test").exists()


def test_a_desa_operator_manages_nobody(app, runner):
    operator = Officer(app, runner, "op@contoh.test", "operator_desa", DESA).sign_in()
    assert operator.get("/petugas/petugas").status_code == 403
    assert operator.get("/petugas/petugas/baru").status_code == 403


def test_another_kabupaten_cannot_touch_the_officer(app, runner, kepala):
    create(kepala)
    target = Account.get(Account.email == "baru@contoh.test").public_id
    bogor = Officer(app, runner, "bogor@contoh.test", "dinsos_kepala", "32.01").sign_in()
    assert bogor.get(f"/petugas/petugas/{target}").status_code == 404
    assert bogor.post(f"/petugas/petugas/{target}/atur-ulang-totp", {}).status_code == 404
    assert [r.object_type for r in actions("akses_ditolak")] == ["petugas", "petugas"]
    assert "baru@contoh.test" not in text(bogor.get("/petugas/petugas"))


def test_enrolment_by_qr_secret_once_then_sign_in_and_recovery_codes(app, kepala):
    enrol = Enrolling(app, link_of(create(kepala)))
    assert enrol.show_qr(password="pendek").status_code == 422  # the officer's own password, ≥ 12
    page = enrol.show_qr()
    assert page.status_code == 200 and enrol.secret
    qr = re.search(r'<img src="(data:image/svg\+xml[^"]+)"', text(page)).group(1)
    # The QR code carries exactly the otpauth:// URI for this secret and e-mail.
    uri = totp.provisioning_uri(enrol.secret, "baru@contoh.test")
    assert html.unescape(qr) == officers.qr_data_uri(uri) and "otpauth" in uri
    # Shown once: the link's page never shows it again.
    assert enrol.secret not in text(enrol.client.get(enrol.link))
    wrong = enrol.confirm("000000")
    assert wrong.status_code == 422 and enrol.secret not in text(wrong)
    enrol.show_qr()  # a new secret, scanned again
    done = enrol.confirm()
    codes = re.findall(r"<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>", text(done))
    assert done.status_code == 200 and len(codes) == officers.RECOVERY_COUNT
    assert not any(c.replace("-", "") in r.code_hash for c in codes for r in RecoveryCode.select())
    assert enrol.client.get(enrol.link).status_code == 404  # the link is used up
    assert [r.detail for r in actions("totp_terdaftar")] == ["baru"]

    officer = enrol.as_officer(app)
    officer.sign_in(offset=30)  # the enrolment used the current code
    assert officer.get("/petugas/").status_code == 200
    # A lost phone: a recovery code signs in once, and only once.
    second = enrol.as_officer(app)
    assert second.password_step().status_code == 303
    assert second.code_step(codes[0].lower()).status_code == 303
    third = enrol.as_officer(app)
    third.password_step()
    assert third.code_step(codes[0]).status_code == 422
    assert len(actions("masuk_pemulihan")) == 1


def test_totp_reset_by_the_higher_officer(app, kepala):
    enrol = Enrolling(app, link_of(create(kepala)))
    enrol.show_qr()
    enrol.confirm()
    officer = enrol.as_officer(app).sign_in(offset=30)
    target = Account.get(Account.email == "baru@contoh.test").public_id
    reset = kepala.post(f"/petugas/petugas/{target}/atur-ulang-totp", {},
                        csrf_from=f"/petugas/petugas/{target}")
    assert reset.status_code == 200 and "diatur ulang" in text(reset)
    assert officer.get("/petugas/").status_code in (302, 403)  # the session ended
    assert not RecoveryCode.select().exists()
    old = enrol.as_officer(app)
    old.password_step()
    assert old.code_step(pyotp.TOTP(enrol.secret).at(time.time() + 60)).status_code == 422
    again = Enrolling(app, link_of(reset))
    page = again.show_qr(password=None)  # a reset keeps the password: the button only
    assert page.status_code == 200 and again.secret and again.secret != enrol.secret
    assert again.confirm().status_code == 200
    assert len(actions("totp_reset")) == 1
    assert [r.detail for r in actions("totp_terdaftar")] == ["baru", "reset"]


def test_rescope_and_disable_end_the_officers_sessions(app, runner, kepala):
    create(kepala)
    target = Account.get(Account.email == "baru@contoh.test").public_id
    moved = kepala.post(f"/petugas/petugas/{target}/wilayah", {"peran": "operator_desa",
                                                               "wilayah": "32.76.06.1002"},
                        csrf_from=f"/petugas/petugas/{target}")
    assert moved.status_code == 303
    assert Account.get(Account.public_id == target).region_scope == "32.76.06.1002"
    outside = kepala.post(f"/petugas/petugas/{target}/wilayah", {"peran": "operator_desa",
                                                                 "wilayah": OTHER_DESA},
                          csrf_from=f"/petugas/petugas/{target}")
    assert outside.status_code == 422 and "di luar wilayah kerja Anda" in text(outside)
    off = kepala.post(f"/petugas/petugas/{target}/status", {"aktif": "0"},
                      csrf_from=f"/petugas/petugas/{target}")
    assert off.status_code == 303 and "Nonaktif" in text(kepala.get("/petugas/petugas"))
    assert [r.action for r in AuditLog.select().where(AuditLog.object_id == target).order_by(AuditLog.id)
            if r.action.startswith("petugas_")] == ["petugas_dibuat", "petugas_wilayah", "petugas_nonaktif"]
