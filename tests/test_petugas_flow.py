"""The whole path: a citizen's proposal through musyawarah, verification,
penetapan and pengesahan to a Cek Bansos lookup that finds the household;
return for revision and resubmission; two decisions at once."""

import threading

import pytest

from webapp import clock
from webapp.db import flask_db
from webapp.registry.models import Enrollment, Household, Person
from webapp.registry.programs import next_quarter, quarter_of
from webapp.usulan import services as usulan
from webapp.usulan.models import Proposal, ProposalEvent

from .conftest import Lookup
from .test_petugas_support import DESA, KK, NIK, WIFE_NIK, Officer, citizen, jpeg, sent_proposal, text


@pytest.fixture
def officers(app, runner):
    return {
        "operator": Officer(app, runner, "operator@contoh.test", "operator_desa", DESA).sign_in(),
        "verifikator": Officer(app, runner, "verifikator@contoh.test", "dinsos_verifikator",
                               "32.76").sign_in(),
        "pemda": Officer(app, runner, "pemda@contoh.test", "pemda", "32.76").sign_in(),
        "pusat": Officer(app, runner, "pusat@contoh.test", "pusat").sign_in(),
    }


def status_of(app, pid):
    with app.app_context():
        status = Proposal.get(Proposal.public_id == pid).status
        flask_db.database.close()
    return status


def through_musyawarah(app, officers, pid):
    op = officers["operator"]
    assert op.decide(pid, "lanjut").status_code == 303
    assert status_of(app, pid) == usulan.MUSYAWARAH
    # Without a recorded musyawarah the decision is refused.
    refused = op.decide(pid, "lanjut")
    assert refused.status_code == 409 and "Pilih musyawarah" in text(refused)
    response = op.post("/petugas/musyawarah", {"tanggal": clock.today().isoformat(),
                                               "berita_acara": (jpeg(), "ba.jpg")},
                       csrf_from="/petugas/musyawarah", content_type="multipart/form-data")
    assert response.status_code == 303, text(response)
    import re

    meeting = re.search(r'<option value="([^"]+)"', text(op.get(f"/petugas/usulan/{pid}"))).group(1)
    assert op.decide(pid, "lanjut", musyawarah=meeting).status_code == 303
    assert status_of(app, pid) == usulan.VERIFIKASI


def test_full_path_to_a_successful_lookup(app, officers, mail_outbox):
    account = citizen(app)
    pid = sent_proposal(app, account)
    through_musyawarah(app, officers, pid)

    ver = officers["verifikator"]
    refused = ver.decide(pid, "lanjut")
    assert refused.status_code == 409 and "kunjungan rumah" in text(refused)
    visit = ver.post(f"/petugas/usulan/{pid}/kunjungan",
                     {"tanggal": clock.today().isoformat(), "kondisi": ["lantai_tanah", "tanpa_jamban"],
                      "catatan": "Rumah kontrakan satu kamar", "desil": "3",
                      "foto": [(jpeg(), "a.jpg"), (jpeg((9, 9, 9)), "b.jpg")]},
                     csrf_from=f"/petugas/usulan/{pid}", content_type="multipart/form-data")
    assert visit.status_code == 303, text(visit)
    page = text(ver.get(f"/petugas/usulan/{pid}"))
    assert "Lantai tanah" in page and "Foto kunjungan 2" in page
    assert ver.decide(pid, "lanjut").status_code == 303
    assert status_of(app, pid) == usulan.PENETAPAN

    # Only the stage's role decides: pusat cannot skip pemda.
    shown = officers["pemda"].version(pid)
    skipped = officers["pusat"].decide(pid, "lanjut", version=shown)
    assert skipped.status_code == 409 and "bukan wewenang" in text(skipped)
    assert officers["pemda"].decide(pid, "lanjut").status_code == 303
    assert officers["pusat"].decide(pid, "lanjut").status_code == 303
    assert status_of(app, pid) == usulan.DISETUJUI

    with app.app_context():
        household = Household.get(Household.no_kk == KK)
        assert household.desa_code == DESA
        head = Person.get(Person.nik == NIK)
        wife = Person.get(Person.nik == WIFE_NIK)
        assert head.relationship == "Kepala Keluarga" and wife.household_id == household.id
        year, quarter = next_quarter(*quarter_of(clock.today()))
        rows = list(Enrollment.select().where(Enrollment.household == household))
        assert {(e.program_code, e.person_id) for e in rows} == {("PKH", None), ("PBI-JK", head.id),
                                                              ("PBI-JK", wife.id)}
        assert household.desil == 3  # recorded at the home visit
        assert all((e.year, e.quarter, e.status) == (year, quarter, "YA") for e in rows)
        # PKH is cash and starts at PENETAPAN; PBI-JK is a membership, active from the period.
        assert {e.stage for e in rows if e.program_code == "PKH"} == {"PENETAPAN"}
        assert {e.stage for e in rows if e.program_code == "PBI-JK"} == {"AKTIF"}
        assert Proposal.get(Proposal.public_id == pid).registry_household_id == household.id
        flask_db.database.close()

    assert "disetujui" in mail_outbox.last().get_content()

    # The real lookup (POST with captcha) finds the household at once.
    lookup = Lookup(app.test_client())
    found = text(lookup.by_name(DESA, "budi  HARTONO"))
    assert "B**I H*****O" in found and "Ditetapkan sebagai penerima" in found and "Desil 3" in found
    assert found.count('class="status yes"') == 2  # PKH and PBI-JK
    by_wife = text(lookup.by_nik(WIFE_NIK))
    assert "S*I W*****I" in by_wife and by_wife.count('class="status yes"') == 2


def test_return_for_revision_and_resubmission(app, officers, mail_outbox):
    from webapp.usulan import services

    account = citizen(app)
    pid = sent_proposal(app, account)
    op = officers["operator"]
    shown = op.version(pid)
    missing_note = op.decide(pid, "perbaikan", version=shown)
    assert missing_note.status_code == 422 and "Tulis alasan" in text(missing_note)
    assert op.decide(pid, "perbaikan", "Foto KK tidak terbaca", version=shown).status_code == 303
    assert status_of(app, pid) == usulan.PERBAIKAN
    assert "Foto KK tidak terbaca" in mail_outbox.last().get_content()

    with app.test_request_context():
        proposal = Proposal.get(Proposal.public_id == pid)
        services.submit(proposal, account)
        flask_db.database.close()
    assert status_of(app, pid) == usulan.DIAJUKAN
    # The form shown before the return is stale even though the status is the same again.
    stale = op.decide(pid, "lanjut", version=shown)
    assert stale.status_code == 409 and "sudah diputuskan" in text(stale)
    assert op.decide(pid, "lanjut").status_code == 303
    assert status_of(app, pid) == usulan.MUSYAWARAH
    # The citizen sees the officer's note on their timeline.
    with app.app_context():
        notes = [e.note for e in ProposalEvent.select().where(ProposalEvent.proposal == Proposal.get(
            Proposal.public_id == pid))]
        flask_db.database.close()
    assert "Foto KK tidak terbaca" in notes


def test_the_same_decision_twice_applies_once(app, officers):
    pid = sent_proposal(app, citizen(app))
    op = officers["operator"]
    shown = op.version(pid)
    assert op.decide(pid, "lanjut", version=shown).status_code == 303
    again = op.decide(pid, "lanjut", version=shown)
    assert again.status_code == 409
    with app.app_context():
        events = ProposalEvent.select().join(Proposal).where(Proposal.public_id == pid).count()
        flask_db.database.close()
    assert events == 2  # sent, then one forward
    assert status_of(app, pid) == usulan.MUSYAWARAH


def test_two_decisions_at_the_same_moment(app, officers):
    """Two workers with the same shown version: the lock and the re-read let one through."""
    from webapp.akun.models import Account
    from webapp.petugas import decisions as services

    pid = sent_proposal(app, citizen(app))
    with app.app_context():
        officer = Account.get(Account.email == "operator@contoh.test")
        proposal = Proposal.get(Proposal.public_id == pid)
        shown = services.version_of(proposal)
        flask_db.database.close()
    outcomes, barrier = [], threading.Barrier(2)

    def decide(decision, note):
        with app.test_request_context():
            barrier.wait()
            try:
                services.decide_proposal(officer, proposal, decision, note, shown)
                outcomes.append("ok")
            except services.DecisionRefused:
                outcomes.append("refused")
            finally:
                flask_db.database.close()

    threads = [threading.Thread(target=decide, args=("lanjut", "")),
               threading.Thread(target=decide, args=("tolak", "Data ganda"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert status_of(app, pid) in (usulan.MUSYAWARAH, usulan.DITOLAK)


def test_reject_gives_a_reason_the_citizen_reads(app, officers, mail_outbox):
    pid = sent_proposal(app, citizen(app))
    assert officers["operator"].decide(pid, "tolak", "Bukan warga desa ini").status_code == 303
    assert status_of(app, pid) == usulan.DITOLAK
    assert "Bukan warga desa ini" in mail_outbox.last().get_content()
