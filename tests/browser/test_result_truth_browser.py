"""The result cards and the officer's proposal page at 360 px in real
Chromium (issue #12): a found person whose PBI-JK membership is active, one
whose program ended, and the proposal page a verifier reads top to bottom.
Each is captured for docs/screenshots/ (UPDATE_DOCS_SCREENSHOTS=1)."""

from datetime import date

import pytest
from playwright.sync_api import expect

from webapp import clock

from ..conftest import CAPTCHA
from .conftest import PHONE
from .journey import Officer, _in_app, active_citizen, heading, press

pytestmark = pytest.mark.browser


def _find(server, ended):
    """The NIK of someone in the served registry with an active PBI-JK
    membership this quarter, or (ended=True) with an ended program."""
    def work(_app):
        from webapp.db import flask_db
        from webapp.registry.models import Enrollment, Person
        from webapp.registry.programs import quarter_of

        year, quarter = quarter_of(clock.today())
        now = (Enrollment.year == year) & (Enrollment.quarter == quarter)
        if ended:
            e = Enrollment.select().where(now & Enrollment.ended_reason.is_null(False)
                                          & (Enrollment.program != "PBI-JK")).first()
            person = (Person.get_by_id(e.person_id) if e.person_id
                      else Person.select().where(Person.household == e.household_id).first())
        else:
            e = Enrollment.select().where(now & (Enrollment.program == "PBI-JK") & (Enrollment.status == "YA")
                                          & Enrollment.since.is_null(False)).first()
            person = Person.get_by_id(e.person_id)
        flask_db.database.close()
        return person.nik

    return _in_app(server, work)


def lookup_nik(page, nik):
    page.goto("/?mode=nik")
    page.get_by_label("NIK", exact=True).fill(nik)
    page.get_by_label("Ketik kode pada gambar").fill(CAPTCHA)
    press(page, "Cari data", htmx=True)
    return page.get_by_role("region", name="1 data ditemukan")


def test_found_with_an_active_pbi_jk_membership(new_page, live_server, snap):
    page = new_page(PHONE)
    result = lookup_nik(page, _find(live_server, ended=False))
    row = result.locator("tr.program-kesehatan")
    expect(row).to_contain_text("AKTIF")
    expect(row).to_contain_text("sejak")
    expect(row).to_contain_text("bukan uang")
    expect(row).not_to_contain_text("Sudah diambil")
    expect(result).to_contain_text("Keterangan DTSEN")
    expect(result).to_contain_text("Status KPD")
    expect(result).to_contain_text("1 (paling rendah) sampai 10 (paling tinggi)")
    snap(page, "pbi-aktif", docs="cek-pbi-aktif-mobile.png")


def test_found_with_a_program_ended(new_page, live_server, snap):
    page = new_page(PHONE)
    result = lookup_nik(page, _find(live_server, ended=True))
    expect(result).to_contain_text("Alasan:")
    expect(result).to_contain_text("Yang dapat dilakukan")
    expect(result).not_to_contain_text("EXCLUDE")
    snap(page, "program-berhenti", docs="cek-program-berhenti-mobile.png")


def _proposal_at_verification(server, desa):
    """A sent proposal moved to verification with a home visit at desil 5
    (PKH proposed: flagged). Returns (public id, receipt)."""
    kecamatan = desa.replace(".", "")[:6]

    def work(app):
        from webapp.akun.models import Account
        from webapp.db import flask_db
        from webapp.petugas.models import StageRecord
        from webapp.usulan import services
        from webapp.usulan.models import Proposal, ProposalDocument, ProposalMember

        account = Account.get(Account.email == "pengusul60@contoh.test")
        with app.test_request_context():
            proposal = services.start(account, f"{kecamatan}0101300060", f"{kecamatan}1708751560").proposal
            services.touch(proposal, name="Slamet Widodo", birth_place="Depok", birth_date=date(1975, 8, 17),
                           sex="L", occupation="Buruh harian lepas", members_done=True, desa=desa,
                           street="Jl. Kenanga 7", rt="003", rw="005", conditions="lansia,tanpa_penghasilan",
                           reason="Penghasilan tidak tetap sejak pabrik tutup", programs="PKH,SEMBAKO,PBI-JK")
            ProposalMember.create(proposal=proposal, nik=f"{kecamatan}5203801560", name="Sri Wahyuni",
                                  relationship="Istri", birth_date="1980-03-12", sex="P",
                                  occupation="Ibu rumah tangga")
            for kind in ("ektp", "kk", "sktm"):
                ProposalDocument.create(proposal=proposal, kind=kind, stored_name=f"usulan/{kind}.jpg")
            services.submit(proposal, account)
            Proposal.update(status=services.VERIFIKASI).where(Proposal.id == proposal.id).execute()
            StageRecord.create(proposal=proposal, stage=services.VERIFIKASI, held_on=clock.today(),
                               checklist="lantai_tanah,tanpa_jamban", notes="Rumah kontrakan satu kamar",
                               officer_id=account.id, desil=5)
            flask_db.database.close()
            return proposal.public_id, proposal.receipt_no

    return _in_app(server, work)


def test_the_officer_proposal_page_at_360_px(new_page, live_server, recipient, snap):
    desa = recipient.desa_code
    kecamatan = desa.replace(".", "")[:6]
    active_citizen(live_server, f"{kecamatan}1708751661", "pengusul60@contoh.test", desa)
    pid, receipt = _proposal_at_verification(live_server, desa)
    verifikator = Officer(live_server, "verifikator60@contoh.test", "dinsos_verifikator", desa[:5])
    page = new_page(PHONE)
    verifikator.sign_in(page)
    page.goto(f"/petugas/usulan/{pid}")
    heading(page, f"Usulan {receipt}")
    for text in ("Tempat, tanggal lahir", "Laki-laki", "Buruh harian lepas", "Ibu rumah tangga",
                 "Ada anggota lanjut usia", "Desil 5", "PKH hanya untuk desil 1–4",
                 "Program Keluarga Harapan", recipient.region_names[3]):
        expect(page.get_by_role("main")).to_contain_text(text)
    expect(page.get_by_role("main")).not_to_contain_text(f"({desa})")
    snap(page, "petugas-usulan", docs="petugas-usulan-mobile.png")
