"""The officers' journey in real Chromium, each officer signing in with
password and TOTP code in their own browser: operator desa (two decisions,
the musyawarah with its berita acara), Dinas Sosial (home visit, decision),
pemda, pusat — and then Cek Bansos finds the approved household. At 360 px
and 1280 px, with JavaScript and without."""

import re

import pytest
from playwright.sync_api import expect

from webapp import clock
from webapp.identity import mask_name

from ..conftest import CAPTCHA
from .journey import (
    EVERY_WAY,
    Looker,
    Officer,
    _in_app,
    active_citizen,
    heading,
    photo_file,
    press,
    way_number,
)

pytestmark = pytest.mark.browser

HEADS = ("Budi Hartono", "Joko Susanto", "Agus Prasetyo", "Hendra Gunawan")


def sent_proposal(server, desa, n):
    """A complete proposal a citizen of `desa` sent (documents as rows: the
    proposal journey uploads real ones). Returns its receipt number."""
    kecamatan = desa.replace(".", "")[:6]

    def work(app):
        from webapp.akun.models import Account
        from webapp.db import flask_db
        from webapp.usulan import services
        from webapp.usulan.models import ProposalDocument, ProposalMember

        account = Account.get(Account.email == f"pengusul{n}@contoh.test")
        with app.test_request_context():
            kk, nik = f"{kecamatan}01013000{n:02d}", f"{kecamatan}17087515{n:02d}"
            proposal = services.start(account, kk, nik).proposal
            services.touch(proposal, name=HEADS[n], birth_place="Depok", occupation="Buruh harian lepas",
                           members_done=True, desa=desa, street="Jl. Kenanga 7", rt="003", rw="005",
                           reason="Penghasilan tidak tetap", programs="PKH,PBI-JK")
            ProposalMember.create(proposal=proposal, nik=f"{kecamatan}52038015{n:02d}", name="Sri Wahyuni",
                                  relationship="Istri", birth_date="1980-03-12", sex="P",
                                  occupation="Ibu rumah tangga")
            for kind in ("ektp", "kk", "sktm"):
                ProposalDocument.create(proposal=proposal, kind=kind, stored_name=f"usulan/{kind}.jpg")
            services.submit(proposal, account)
            flask_db.database.close()
            return proposal.receipt_no

    return _in_app(server, work)


def officer_menu(page, name):
    """A tab of the officers' menu (the header has an "Usulan" link too)."""
    link = page.get_by_role("navigation", name="Menu petugas").get_by_role("link", name=name, exact=True)
    with page.expect_navigation():
        link.click()


def open_proposal(page, stage, receipt, look=None, state=None):
    """From the queue, filtered by stage, to the proposal."""
    officer_menu(page, "Usulan")
    heading(page, "Antrean usulan")
    page.get_by_label("Tahap/status").select_option(label=stage)
    press(page, "Saring")
    if look and state:
        look(page, state)
    press(page, receipt, role="link")
    heading(page, f"Usulan {receipt}")


def decide(page, stage, musyawarah=False):
    expect(page.get_by_role("heading", name=f"Putusan tahap {stage}")).to_be_visible()
    if musyawarah:
        expect(page.get_by_label("Musyawarah tempat putusan diambil")).to_be_visible()
    page.get_by_label("Setujui").check()
    press(page, "Simpan putusan")
    expect(page.get_by_role("status")).to_have_text("Putusan tersimpan.")


@EVERY_WAY
def test_officer_decisions_through_to_a_lookup_that_finds_the_household(
        new_page, live_server, recipient, snap, tmp_path, layout, javascript):
    n = way_number(layout, javascript)
    desa = recipient.desa_code
    look = Looker(snap, layout, javascript)
    photo = photo_file(tmp_path, "foto.jpg")
    kecamatan = desa.replace(".", "")[:6]
    active_citizen(live_server, f"{kecamatan}17087516{n:02d}", f"pengusul{n}@contoh.test", desa)
    receipt = sent_proposal(live_server, desa, n)
    operator = Officer(live_server, f"operator{n}@contoh.test", "operator_desa", desa)
    verifikator = Officer(live_server, f"verifikator{n}@contoh.test", "dinsos_verifikator", desa[:5])
    pemda = Officer(live_server, f"pemda{n}@contoh.test", "pemda", desa[:5])
    pusat = Officer(live_server, f"pusat{n}@contoh.test", "pusat")

    # Operator desa: to musyawarah, records the meeting, then to verification.
    page = new_page(layout, javascript=javascript)
    operator.sign_in(page, look)
    look(page, "ringkasan")
    open_proposal(page, "Diajukan", receipt, look, "antrean")
    look(page, "usulan-diajukan")
    decide(page, "Diajukan")
    officer_menu(page, "Musyawarah")
    heading(page, "Musyawarah desa/kelurahan")
    page.get_by_label("Tanggal musyawarah").fill(clock.today().isoformat())
    page.get_by_label("Foto berita acara").set_input_files(photo)
    press(page, "Simpan musyawarah")
    expect(page.get_by_role("status")).to_have_text("Musyawarah tersimpan.")
    look(page, "musyawarah")
    open_proposal(page, "Musyawarah Desa/Kelurahan", receipt)
    look(page, "usulan-musyawarah")
    decide(page, "Musyawarah Desa/Kelurahan", musyawarah=True)

    # Dinas Sosial: the home visit, then the decision.
    page = new_page(layout, javascript=javascript)
    verifikator.sign_in(page)
    open_proposal(page, "Verifikasi Dinas Sosial", receipt)
    page.get_by_label("Tanggal kunjungan").fill(clock.today().isoformat())
    page.get_by_label("Lantai tanah").check()
    page.get_by_label("Tidak punya jamban sendiri").check()
    page.get_by_label("Catatan kunjungan").fill("Rumah kontrakan satu kamar")
    page.get_by_label("Desil hasil kunjungan rumah").select_option("3")
    page.get_by_label("Foto rumah (paling banyak 5)").set_input_files([photo, photo])
    press(page, "Simpan kunjungan")
    expect(page.get_by_role("status")).to_have_text("Kunjungan rumah tersimpan.")
    expect(page.get_by_role("link", name="Foto kunjungan 2")).to_be_visible()
    look(page, "usulan-verifikasi")
    decide(page, "Verifikasi Dinas Sosial")

    # Pemda, then pusat.
    for officer, stage in ((pemda, "Penetapan Pemda"), (pusat, "Pengesahan Pusat")):
        page = new_page(layout, javascript=javascript)
        officer.sign_in(page)
        open_proposal(page, stage, receipt)
        decide(page, stage)
    expect(page.get_by_role("definition").filter(has_text=re.compile("^Disetujui$"))).to_have_count(1)
    look(page, "usulan-disetujui")

    # Anyone now finds the household with Cek Bansos.
    page = new_page(layout, javascript=javascript)
    page.goto(f"/?provinsi={desa[:2]}&kabupaten={desa[:5]}&kecamatan={desa[:8]}&desa={desa}")  # a bookmark
    page.get_by_label("Nama sesuai KTP").fill(HEADS[n])
    page.get_by_label("Ketik kode pada gambar").fill(CAPTCHA)
    press(page, "Cari data", javascript, htmx=True)
    result = page.get_by_role("region", name=re.compile(r"\d+ data ditemukan"))
    expect(result.get_by_role("heading", name=mask_name(HEADS[n]), exact=True)).to_be_visible()
    expect(result).to_contain_text("Ditetapkan sebagai penerima")
    expect(result).to_contain_text("Desil 3")
    expect(result).not_to_contain_text(HEADS[n])
    look(page, "cek-ditemukan")
    look.check()
