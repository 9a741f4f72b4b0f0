"""Usulan over HTTP: who may propose, the gate, sending, the receipt, the
timeline, another citizen's proposal, the status page without an account."""

import re
from datetime import date
from types import SimpleNamespace

import pytest

from webapp.registry.models import Household
from webapp.usulan import services
from webapp.usulan.models import Proposal, ProposalDocument

from .conftest import CAPTCHA, form_fields
from .helpers import text

NIK = "3276061708750003"  # Beji, born 17-08-1975
KK = "3276060101200042"



def forget_csrf():
    """The `db` fixture keeps one app context across requests, so Flask-WTF's
    per-request token cache (g) would leak into another client's request."""
    from flask import g, has_app_context

    if has_app_context():
        g.pop("csrf_token", None)


class Citizen:
    """Signs a stand-in account in (webapp.akun's session is replaced)."""

    def __init__(self, client, monkeypatch):
        self.client = client
        self.account = None
        monkeypatch.setattr("webapp.usulan.access.current_account", lambda: self.account)

    def sign_in(self, id_=1, state="aktif", reject_reason=None):
        self.account = SimpleNamespace(id=id_, state=state, email=f"warga{id_}@contoh.test",
                                       reject_reason=reject_reason)
        return self

    def csrf(self, path="/usulan/"):
        return form_fields(text(self.client.get(path)))[0]

    def post(self, path, data=None, csrf_from="/usulan/", **kw):
        data = dict(data or {}, csrf_token=self.csrf(csrf_from))
        return self.client.post(path, data=data, **kw)

    def start(self, no_kk=KK, nik=NIK):
        return self.post("/usulan/", {"no_kk": no_kk, "nik": nik})

    def started(self, no_kk=KK, nik=NIK):
        response = self.start(no_kk, nik)
        assert response.status_code == 303, text(response)
        return re.search(r"/usulan/([^/]+)/data-diri", response.headers["Location"]).group(1)


@pytest.fixture
def citizen(client, monkeypatch):
    return Citizen(client, monkeypatch).sign_in()


def fill_all(proposal_pid):
    """Completes a draft directly in the database (the steps have their own tests)."""
    p = Proposal.get(Proposal.public_id == proposal_pid)
    services.touch(p, name="Siti Aminah", birth_place="Depok", occupation="Petani", members_done=True,
                   desa="32.76.06.1001", street="Jl. Melati 3", rt="001", rw="002",
                   reason="Suami meninggal", programs="PKH,SEMBAKO")
    for kind in ("ektp", "kk", "sktm"):
        ProposalDocument.create(proposal=p, kind=kind, stored_name=f"usulan/{kind}.jpg")
    return p


def sent(citizen):
    pid = citizen.started()
    fill_all(pid)
    response = citizen.post(f"/usulan/{pid}/kirim", csrf_from=f"/usulan/{pid}/periksa")
    assert response.status_code == 303, text(response)
    return Proposal.get(Proposal.public_id == pid)


def test_signed_out_is_sent_to_sign_in(client, monkeypatch):
    Citizen(client, monkeypatch)
    response = client.get("/usulan/")
    assert response.status_code == 302


@pytest.mark.parametrize("state, reason, says, link", [
    ("menunggu verifikasi e-mail", None, "kode 6 angka", "/akun/verifikasi"),
    ("menunggu verifikasi nomor HP", None, "lewat SMS", "/akun/verifikasi"),
    ("melengkapi foto", None, "unggah foto KTP dan swafoto", "/akun/foto"),
    ("menunggu verifikasi petugas", None, "Petugas sedang memeriksa", None),
    ("ditolak", "foto_buram", "Foto KTP buram atau terbalik.", "/akun/foto"),
    ("ditolak", "tanpa_swafoto", "Tidak ada swafoto sambil memegang KTP.", "/akun/foto"),
    ("ditolak", "ktp_fotokopi", "Foto KTP berupa fotokopi.", "/akun/foto"),
    ("ditolak", "di_bawah_umur", "Akun hanya untuk umur 17 tahun ke atas", None),
    ("ditolak", "data_tidak_sesuai", "Datang ke kantor desa/kelurahan dengan KTP dan KK", None),
    ("ditolak", None, "Pendaftaran akun Anda ditolak", None),
])
def test_inactive_accounts_are_told_why_and_what_to_do(client, monkeypatch, state, reason, says, link):
    Citizen(client, monkeypatch).sign_in(state=state, reject_reason=reason)
    response = client.get("/usulan/")
    assert response.status_code == 403
    page = text(response)
    assert says in page
    assert "Cek Usulan" not in page
    if link:
        assert f'href="{link}"' in page
    else:
        assert 'href="/akun/foto"' not in page and 'href="/akun/verifikasi"' not in page
    if state == "ditolak" and reason:
        assert "Yang perlu Anda lakukan" in page


def test_every_account_state_is_covered_and_an_active_one_may_propose(client, monkeypatch):
    from webapp.akun.models import STATES

    covered = {"menunggu verifikasi e-mail", "menunggu verifikasi nomor HP", "melengkapi foto",
               "menunggu verifikasi petugas", "ditolak"}
    assert set(STATES) == covered | {"aktif"}
    Citizen(client, monkeypatch).sign_in(state="aktif")
    response = client.get("/usulan/")
    assert response.status_code == 200 and "Cek Usulan" in text(response)


def test_gate_opens_a_draft_and_goes_to_the_first_step(citizen, db):
    pid = citizen.started()
    page = citizen.client.get(f"/usulan/{pid}/data-diri")
    assert page.status_code == 200
    assert "Langkah 1 dari 6" in text(page)
    assert 'value="17-08-1975"' in text(page)  # from the NIK


@pytest.mark.parametrize("no_kk, nik, message", [
    ("12345", NIK, "No. KK harus 16 digit"),
    (KK, "12345", "NIK harus 16 digit"),
    (KK, "9999991708750003", "tidak dikenal"),
    ("", "", "Masukkan No. KK"),
])
def test_gate_says_what_is_wrong(citizen, no_kk, nik, message):
    response = citizen.start(no_kk, nik)
    assert response.status_code == 422
    assert message in text(response) and "Kesalahan: " in text(response)


def test_desil_6_to_10_is_outside_the_programs(citizen, db):
    hh = Household.select().where(Household.desil >= 6).first()
    response = citizen.start(hh.no_kk, NIK)
    html = text(response)
    assert response.status_code == 200
    assert "di luar jangkauan program" in html and f"desil {hh.desil}" in html
    assert "desa/kelurahan atau Dinas Sosial" in html
    assert not Proposal.select().exists()


def test_a_second_open_proposal_for_the_same_household_is_refused(citizen, db):
    pid = citizen.started()
    again = citizen.start()
    assert again.status_code == 409
    assert f"/usulan/{pid}" in text(again)  # links to the own one
    citizen.sign_in(id_=2)
    other = citizen.start(KK, "3276064508800004")
    assert other.status_code == 409
    assert "sudah diusulkan" in text(other) and pid not in text(other)
    assert Proposal.select().count() == 1


def test_a_draft_resumes_where_it_was_left_from_another_device(citizen, client, app, db):
    pid = citizen.started()
    citizen.post(f"/usulan/{pid}/data-diri", {"name": "Siti Aminah", "birth_place": "Depok",
                                              "birth_date": "17-08-1975", "sex": "L",
                                              "occupation": "Petani"}, csrf_from=f"/usulan/{pid}/data-diri")
    other_device = app.test_client()  # no cookies from the first one
    citizen.client = other_device
    html = text(other_device.get("/usulan/"))
    assert "Lanjutkan" in html and f"/usulan/{pid}/anggota" in html
    page = other_device.get(f"/usulan/{pid}/data-diri")
    assert 'value="Siti Aminah"' in text(page)


def test_send_gives_a_receipt_and_the_timeline(citizen, db):
    p = sent(citizen)
    assert re.fullmatch(r"USL-[A-Z0-9]{4}-[A-Z0-9]{4}", p.receipt_no)
    receipt = citizen.client.get(f"/usulan/{p.public_id}/tanda-terima")
    html = text(receipt)
    assert receipt.status_code == 200 and p.receipt_no in html
    assert re.search(r'<link rel="stylesheet" href="/static/print[^"]*\.css[^"]*" media="print">', html)
    assert NIK not in html
    detail = text(citizen.client.get(f"/usulan/{p.public_id}"))
    assert "Diajukan" in detail and "Musyawarah Desa/Kelurahan" in detail
    assert "Pengesahan Pusat" in detail and "Belum" in detail
    # a sent proposal cannot be changed through the steps
    step = citizen.client.get(f"/usulan/{p.public_id}/kondisi")
    assert step.status_code == 302 and step.headers["Location"].endswith(f"/usulan/{p.public_id}")


def test_returned_proposal_shows_the_officer_note_and_can_be_sent_again(citizen, db):
    p = sent(citizen)
    services.advance(p, SimpleNamespace(id=77), services.FORWARD)
    services.advance(p, SimpleNamespace(id=77), services.RETURN, "Foto KK buram")
    html = text(citizen.client.get(f"/usulan/{p.public_id}"))
    assert "Perlu perbaikan" in html and "Foto KK buram" in html and "Perbaiki usulan" in html
    assert citizen.client.get(f"/usulan/{p.public_id}/kondisi").status_code == 200
    response = citizen.post(f"/usulan/{p.public_id}/kirim", csrf_from=f"/usulan/{p.public_id}/periksa")
    assert response.status_code == 303
    assert Proposal.get_by_id(p.id).status == services.MUSYAWARAH


def test_an_incomplete_draft_is_not_sent_and_says_what_is_missing(citizen, db):
    pid = citizen.started()
    response = citizen.post(f"/usulan/{pid}/kirim", csrf_from=f"/usulan/{pid}/periksa")
    html = text(response)
    assert response.status_code == 422
    assert "Lengkapi bagian: Alamat domisili" in html and 'href="#bagian-domisili"' in html
    assert Proposal.get(Proposal.public_id == pid).status == services.DRAFT


@pytest.mark.parametrize("path", ["", "/data-diri", "/anggota", "/periksa", "/tanda-terima",
                                  "/dokumen/ektp"])
def test_another_citizens_proposal_is_404(citizen, db, path):
    p = sent(citizen)
    citizen.sign_in(id_=2)
    assert citizen.client.get(f"/usulan/{p.public_id}{path}").status_code == 404


def test_another_citizen_cannot_send_or_change(citizen, db):
    pid = citizen.started()
    citizen.sign_in(id_=2)
    assert citizen.post(f"/usulan/{pid}/kirim").status_code == 404
    assert citizen.post(f"/usulan/{pid}/kondisi", {"reason": "x"}).status_code == 404
    assert Proposal.get(Proposal.public_id == pid).reason is None


def status_form(client, receipt, birth, captcha=CAPTCHA):
    forget_csrf()
    csrf, token = form_fields(text(client.get("/usulan/status")))
    return client.post("/usulan/status", data={"csrf_token": csrf, "captcha_token": token,
                                               "captcha": captcha, "receipt": receipt,
                                               "birth_date": birth})


def test_status_without_an_account(citizen, client, app, db):
    p = sent(citizen)
    anonymous = app.test_client()
    page = anonymous.get("/usulan/status")
    assert page.status_code == 200 and 'name="captcha_token"' in text(page)
    response = status_form(anonymous, p.receipt_no, "17-08-1975")
    html = text(response)
    assert response.status_code == 200 and "Diajukan" in html and p.receipt_no in html
    assert "Siti Aminah" not in html and NIK not in html


@pytest.mark.parametrize("which", ["receipt", "birth"])
def test_status_wrong_part_gives_the_same_not_found(citizen, app, db, which):
    p = sent(citizen)
    anonymous = app.test_client()
    receipt = "USL-AAAA-AAAA" if which == "receipt" else p.receipt_no
    birth = "18-08-1975" if which == "birth" else "17-08-1975"
    response = status_form(anonymous, receipt, birth)
    assert response.status_code == 404
    assert "Usulan tidak ditemukan" in text(response)
    assert "Diajukan" not in text(response)


def test_status_needs_the_captcha(citizen, app, db):
    p = sent(citizen)
    response = status_form(app.test_client(), p.receipt_no, "17-08-1975", captcha="WRONG")
    assert response.status_code == 422 and "Kode captcha salah" in text(response)


def test_status_draft_is_never_found(citizen, app, db):
    pid = citizen.started()
    p = Proposal.get(Proposal.public_id == pid)
    p.receipt_no = "USL-CCCC-CCCC"
    p.save()
    assert status_form(app.test_client(), "USL-CCCC-CCCC", "17-08-1975").status_code == 404


@pytest.mark.app_config(RATELIMIT_ENABLED=True, LOOKUP_RATE_LIMIT="2 per minute")
def test_status_is_rate_limited(app):
    client = app.test_client()
    codes = [status_form(client, "USL-AAAA-AAAA", "17-08-1975").status_code for _ in range(3)]
    assert codes[-1] == 429


def test_birth_date_is_checked_against_the_nik(citizen, db):
    pid = citizen.started()
    response = citizen.post(f"/usulan/{pid}/data-diri", {
        "name": "Siti", "birth_place": "Depok", "birth_date": "18-08-1975", "sex": "P",
        "occupation": "Petani"}, csrf_from=f"/usulan/{pid}/data-diri")
    assert response.status_code == 422
    assert "tidak sama dengan tanggal di NIK" in text(response)
    assert Proposal.get(Proposal.public_id == pid).birth_date == date(1975, 8, 17)


def test_sending_emails_the_receipt(citizen, app, smtp_server, db):
    from .smtp import smtp_app_config

    app.config.update(smtp_app_config(smtp_server))
    p = sent(citizen)
    [message] = smtp_server.messages
    assert message["To"] == "warga1@contoh.test"
    assert p.receipt_no in message["Subject"]
    body = message.get_content()
    assert p.receipt_no in body and "/usulan/status" in body
    assert NIK not in body and "Siti Aminah" not in body
