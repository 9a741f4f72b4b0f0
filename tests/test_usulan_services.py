"""Proposal services: the gate, one open proposal per KK, the state machine."""

from datetime import date
from types import SimpleNamespace

import pytest

from webapp.registry.models import Household
from webapp.usulan import drafts, services
from webapp.usulan.models import Proposal, ProposalEvent
from webapp.usulan.services import TransitionError
from webapp.usulan.status import find_by_receipt, timeline

NIK = "3276061708750003"  # Beji, born 17-08-1975
KK = "3276060101200042"


@pytest.fixture(autouse=True)
def _request(app):
    """Labels are translated, which needs a request (for the chosen language)."""
    with app.test_request_context():
        yield


def account(id_=1):
    return SimpleNamespace(id=id_, state="aktif", email=f"warga{id_}@contoh.test")


def complete(proposal):
    """Fills every step (documents faked as rows: uploads are tested elsewhere)."""
    from webapp.usulan.models import ProposalDocument

    services.touch(proposal, name="Siti Aminah", birth_place="Depok", occupation="Petani",
                   members_done=True, desa="32.76.06.1001", street="Jl. Melati 3", rt="001", rw="002",
                   reason="Suami meninggal", programs="PKH")
    for kind in drafts.required_documents(proposal):
        ProposalDocument.create(proposal=proposal, kind=kind, stored_name=f"usulan/{kind}.jpg")
    return proposal


def test_start_opens_a_draft_with_birth_date_and_sex_from_the_nik(db):
    gate = services.start(account(), KK, NIK)
    assert gate.refusal is None
    p = gate.proposal
    assert p.status == services.DRAFT and p.open_kk == KK
    assert p.birth_date == date(1975, 8, 17) and p.sex == "L"
    assert len(p.public_id) >= 20 and p.receipt_no is None


def test_high_desil_household_is_refused(db):
    hh = Household.select().where(Household.desil >= 6).first()
    gate = services.start(account(), hh.no_kk, NIK)
    assert gate.refusal == "desil" and gate.proposal is None
    assert not Proposal.select().exists()


def test_second_open_proposal_for_the_same_kk_is_refused(db):
    first = services.start(account(1), KK, NIK).proposal
    again = services.start(account(1), KK, NIK)
    assert again.refusal == "own_open" and again.proposal.id == first.id
    other = services.start(account(2), KK, "3276064508800004")
    assert other.refusal == "other_open" and other.proposal is None
    assert Proposal.select().count() == 1


def test_a_closed_proposal_frees_the_kk(db):
    p = complete(services.start(account(), KK, NIK).proposal)
    services.submit(p, account())
    services.advance(p, account(99), services.REJECT, "Tidak memenuhi syarat")
    assert Proposal.get_by_id(p.id).open_kk is None
    assert services.start(account(), KK, NIK).refusal is None


def test_incomplete_draft_cannot_be_sent(db):
    p = services.start(account(), KK, NIK).proposal
    with pytest.raises(TransitionError):
        services.submit(p, account())
    assert drafts.next_step(p) == "data_diri"


def test_submit_gives_a_random_receipt_and_the_first_event(db):
    p = complete(services.start(account(), KK, NIK).proposal)
    assert drafts.missing_steps(p) == []
    services.submit(p, account())
    p = Proposal.get_by_id(p.id)
    assert p.status == services.DIAJUKAN
    assert p.receipt_no.startswith("USL-") and len(p.receipt_no) == 13
    assert set(p.receipt_no[4:].replace("-", "")) <= set(services.RECEIPT_ALPHABET)
    assert [e.status for e in p.events] == [services.DIAJUKAN]
    with pytest.raises(TransitionError):
        services.submit(p, account())
    with pytest.raises(TransitionError):
        services.touch(p, reason="changed after sending")


def test_the_whole_path_to_approval(db):
    p = complete(services.start(account(), KK, NIK).proposal)
    services.submit(p, account())
    officer = account(50)
    for expected in services.PATH[1:]:
        services.advance(p, officer, services.FORWARD, None)
        assert Proposal.get_by_id(p.id).status == expected
    assert p.status == services.DISETUJUI and p.open_kk is None
    with pytest.raises(TransitionError):
        services.advance(p, officer, services.FORWARD)
    steps = timeline(p)
    assert [s.status for s in steps] == list(services.PATH)
    assert all(s.at for s in steps)


def test_return_for_correction_and_send_again_resumes_the_step(db):
    p = complete(services.start(account(), KK, NIK).proposal)
    services.submit(p, account())
    services.advance(p, account(50), services.FORWARD)
    with pytest.raises(TransitionError):
        services.advance(p, account(50), services.RETURN, "")  # a note is required
    services.advance(p, account(50), services.RETURN, "Foto KK buram, unggah ulang.")
    assert p.status == services.PERBAIKAN and p.returned_from == services.MUSYAWARAH
    services.touch(p, reason="Foto KK sudah diganti")  # editable again
    with pytest.raises(TransitionError):
        services.advance(p, account(50), services.FORWARD)  # the citizen's turn
    receipt = p.receipt_no
    services.submit(p, account())
    assert p.status == services.MUSYAWARAH and p.receipt_no == receipt
    notes = [e.note for e in ProposalEvent.select().where(ProposalEvent.proposal == p)]
    assert "Foto KK buram, unggah ulang." in notes
    states = [s.state for s in timeline(p)]
    assert "returned" in states and states[-1] == "todo"


def test_reject_needs_a_reason_and_unknown_decisions_fail(db):
    p = complete(services.start(account(), KK, NIK).proposal)
    with pytest.raises(TransitionError):
        services.advance(p, account(50), services.FORWARD)  # still a draft
    services.submit(p, account())
    with pytest.raises(TransitionError):
        services.advance(p, account(50), services.REJECT)
    with pytest.raises(TransitionError):
        services.advance(p, account(50), "setujui-langsung", "x")
    services.advance(p, account(50), services.REJECT, "Desil 8 setelah kunjungan rumah")
    assert timeline(p)[-1].state == "rejected"


def test_find_by_receipt_needs_the_right_birth_date(db):
    p = complete(services.start(account(), KK, NIK).proposal)
    assert find_by_receipt("USL-AAAA-AAAA", date(1975, 8, 17)) is None
    services.submit(p, account())
    assert find_by_receipt(p.receipt_no, date(1975, 8, 17)).id == p.id
    assert find_by_receipt(p.receipt_no.lower()[4:], date(1975, 8, 17)).id == p.id
    assert find_by_receipt(p.receipt_no, date(1975, 8, 18)) is None


def test_own_never_returns_another_accounts_proposal(db):
    p = services.start(account(1), KK, NIK).proposal
    assert services.own(account(1), p.public_id).id == p.id
    assert services.own(account(2), p.public_id) is None


def test_members_refuse_duplicates_and_the_proposed_person(db):
    p = services.start(account(), KK, NIK).proposal
    data = {"nik": "3276064508800004", "name": "Rina", "relationship": "Istri",
            "birth_date": date(1980, 8, 5), "sex": "P", "occupation": "Ibu rumah tangga"}
    drafts.save_member(p, data)
    with pytest.raises(drafts.MemberError):
        drafts.save_member(p, dict(data, name="Rina lagi"))
    with pytest.raises(drafts.MemberError):
        drafts.save_member(p, dict(data, nik=NIK))
    assert len(drafts.members_of(p)) == 1


def test_sktm_required_only_outside_the_registry(db):
    p = services.start(account(), KK, NIK).proposal
    assert "sktm" in drafts.required_documents(p)
    hh = Household.select().where(Household.desil <= 5).first()
    q = services.start(account(), hh.no_kk, NIK).proposal
    assert drafts.required_documents(q) == ["ektp", "kk"]
    allowed = {prog.code: ok for prog, ok in drafts.programs_for(q)}
    assert allowed["SEMBAKO"] and allowed["PKH"] == (hh.desil <= 4)


def test_advance_keeps_a_value_written_after_the_caller_read_the_proposal(db):
    """An officer's move saves only what the move changes on the freshly
    locked row: a newer value written between the caller's read and the
    move survives (a stale copy never overwrites it)."""
    p = complete(services.start(account(), KK, NIK).proposal)
    services.submit(p, account())
    stale = Proposal.get_by_id(p.id)
    Proposal.update(reason="Alasan terbaru", street="Jl. Kenanga 9").where(Proposal.id == p.id).execute()
    services.advance(stale, account(50), services.FORWARD)
    fresh = Proposal.get_by_id(p.id)
    assert fresh.status == services.MUSYAWARAH
    assert fresh.reason == "Alasan terbaru" and fresh.street == "Jl. Kenanga 9"
    assert stale.status == services.MUSYAWARAH  # the caller's copy shows the move


def test_submit_keeps_a_value_written_after_the_caller_read_the_draft(db):
    p = complete(services.start(account(), KK, NIK).proposal)
    stale = Proposal.get_by_id(p.id)
    Proposal.update(occupation="Buruh tani").where(Proposal.id == p.id).execute()
    services.submit(stale, account())
    fresh = Proposal.get_by_id(p.id)
    assert fresh.status == services.DIAJUKAN and fresh.receipt_no == stale.receipt_no
    assert fresh.occupation == "Buruh tani"
