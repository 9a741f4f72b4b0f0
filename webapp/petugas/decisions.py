"""Officer decisions on proposals, as plain functions: the decision itself
(lock, check, advance, integrate, audit, notify; the rules are
webapp.usulan.states), the home visit and the musyawarah record it rests on.
DecisionRefused is the refusal every officer decision raises, with a
message for the officer."""


from flask_babel import lazy_gettext as _l
from peewee import fn

from .. import clock, uploads
from ..akun import audit, roles
from ..akun.models import Account
from ..db import atomic_write, comma_text
from ..delivery import notify
from ..errors import Refused
from ..i18n import gettext as _
from ..registry.models import Program
from ..registry.programs import desil_allows
from ..usulan import services as usulan
from ..usulan import states
from ..usulan.models import Proposal, ProposalEvent
from . import scope
from .integrate import integrate
from .models import Musyawarah, StageRecord, VisitPhoto

# Housing conditions checked on a home visit (Dinas Sosial).
HOUSING = (
    ("lantai_tanah", _l("Lantai tanah")),
    ("dinding_tidak_layak", _l("Dinding bambu, papan atau tidak permanen")),
    ("atap_rusak", _l("Atap rusak atau bocor")),
    ("tanpa_jamban", _l("Tidak punya jamban sendiri")),
    ("air_tidak_layak", _l("Sumber air minum tidak layak")),
    ("listrik_kecil", _l("Listrik 450 VA atau tanpa listrik")),
    ("rumah_sempit", _l("Luas lantai kurang dari 8 m² per orang")),
    ("tanpa_aset", _l("Tidak punya aset berharga")),
)


HOUSING_CODES = tuple(code for code, _label in HOUSING)


class DecisionRefused(Refused):
    """An officer decision the rules refuse; .message tells the officer why."""


def version_of(proposal):
    """Changes with every move of the proposal (the id of its latest event):
    a decision form carries the version it was shown, so a second submit of
    the same decision finds it moved. Unlike the status, it cannot repeat
    after a return and resend."""
    return ProposalEvent.select(fn.MAX(ProposalEvent.id)).where(
        ProposalEvent.proposal == proposal).scalar() or 0


def musyawarah_options(officer, proposal):
    return list(scope.musyawarah_for(officer).where(Musyawarah.desa_code == proposal.desa_code)
                .order_by(Musyawarah.held_on.desc()))


def latest_visit(proposal):
    """The latest home visit: its desil (or reason) is the household's."""
    return (StageRecord.select().where((StageRecord.proposal == proposal)
                                       & (StageRecord.stage == states.VERIFIKASI))
            .order_by(StageRecord.id.desc()).first())


def program_checks(proposal, visit=None):
    """[(program, allowed)] for the proposed programs against the desil of
    the latest home visit: what approval will enrol, flagged beforehand."""

    visit = visit if visit is not None else latest_visit(proposal)
    if visit is None:
        return []
    desil = visit.desil
    programs = {p.code: p for p in Program.select().where(Program.code.in_(proposal.program_list))}
    return [(programs[code], desil_allows(code, desil, programs[code].max_desil))
            for code in proposal.program_list if code in programs]


def decide_proposal(officer, proposal, decision, note, shown_version, musyawarah=None):
    """The officer's decision on a proposal in their region at their stage:
    lock, check (version, role, the step's preconditions), advance,
    integrate on approval, audit; then tell the proposer. One read of the
    row, one lock. Raises DecisionRefused with a message for the officer."""
    note = (note or "").strip()
    with atomic_write(f"proposal:{proposal.id}"):
        current = Proposal.get_by_id(proposal.id)
        if version_of(current) != shown_version:
            raise DecisionRefused(_l("Usulan ini sudah diputuskan atau berubah sejak halaman dibuka. "
                                     "Periksa keadaan terbaru di bawah."))
        if not states.may_decide(officer, current):
            raise DecisionRefused(_l("Tahap ini bukan wewenang Anda."))
        stage = current.status
        visit = latest_visit(current) if stage == states.VISIT_STAGE else None
        try:
            states.check_preconditions(current, decision, states.Facts(musyawarah=musyawarah, visit=visit))
            if stage == states.MUSYAWARAH:
                StageRecord.create(proposal=current, stage=stage, musyawarah=musyawarah,
                                   held_on=musyawarah.held_on, officer_id=officer.id)
            states.move(current, decision, note, officer.id)
        except states.TransitionError as exc:
            raise DecisionRefused(exc.message) from None
        if current.status == states.DISETUJUI:
            integrate(current)
        audit.record(officer, "putusan_usulan", "usulan", current.public_id, region=current.desa_code,
                     detail=f"{stage}:{decision}")
    _tell_proposer(current, note)
    return current


def _tell_proposer(proposal, note):
    if usulan.is_assisted(proposal):
        # Filled by an officer at the kiosk: the citizen follows it with the
        # printed receipt (status without an account), the officer in /petugas.
        return
    account = Account.get_or_none(Account.id == proposal.account_id)
    if account is None:
        return
    status = proposal.status
    if status == states.PERBAIKAN:
        body = _("Usulan %(no)s perlu diperbaiki. Catatan petugas: %(note)s\n\n"
                 "Masuk ke Cek Bansos, buka Usulan, perbaiki bagian yang diminta, lalu kirim lagi.",
                 no=proposal.receipt_no, note=note)
    elif status == states.DITOLAK:
        body = _("Usulan %(no)s tidak disetujui. Alasan: %(note)s", no=proposal.receipt_no, note=note)
    elif status == states.DISETUJUI:
        body = _("Usulan %(no)s disetujui. Keluarga Anda sudah tercatat sebagai penerima dan dapat "
                 "dicek di halaman Cek Bansos.", no=proposal.receipt_no)
    else:
        body = _("Usulan %(no)s maju ke tahap: %(stage)s.", no=proposal.receipt_no,
                 stage=states.label(status))
    notify(account, _("Kabar usulan %(no)s", no=proposal.receipt_no), body)


def record_visit(officer, proposal, held_on, checklist, notes, photos=(), desil=None, desil_reason=None):
    """A home visit (Dinas Sosial, at the verification stage) with the desil
    it gives the household (1–10), or none yet and why. `photos` are
    processed image bytes, stored before the rows (see webapp.uploads)."""
    if not states.may_visit(officer, proposal):
        raise DecisionRefused(_l("Kunjungan rumah dicatat pada tahap verifikasi oleh Dinas Sosial."))
    unknown = [c for c in checklist if c not in HOUSING_CODES]
    if unknown:
        raise DecisionRefused(_l("Pilihan kondisi rumah tidak dikenal."))
    desil_reason = (desil_reason or "").strip() or None
    if desil is not None and not (isinstance(desil, int) and 1 <= desil <= 10):
        raise DecisionRefused(_l("Desil harus 1–10."))
    if desil is None and not desil_reason:
        raise DecisionRefused(_l("Catat desil hasil kunjungan (1–10), atau alasan desil belum dapat "
                                 "ditentukan."))
    if desil is not None:
        desil_reason = None
    with uploads.changes() as files, atomic_write(f"proposal:{proposal.id}"):
        names = [files.store(data, "kunjungan") for data in photos]
        record = StageRecord.create(proposal=proposal, stage=states.VERIFIKASI, held_on=held_on,
                                    checklist=comma_text(checklist), notes=(notes or "").strip() or None,
                                    officer_id=officer.id, desil=desil, desil_reason=desil_reason)
        for name in names:
            VisitPhoto.create(record=record, stored_name=name)
        audit.record(officer, "kunjungan_rumah", "usulan", proposal.public_id, region=proposal.desa_code,
                     detail=f"foto:{len(names)}")
    return record


def create_musyawarah(officer, desa_code, held_on, image):
    if officer.role not in roles.MUSYAWARAH_ROLES or not scope.code_in_region(desa_code, officer):
        raise DecisionRefused(_l("Musyawarah dicatat oleh operator desa/kelurahan untuk desanya."))
    if held_on > clock.today():
        raise DecisionRefused(_l("Tanggal musyawarah tidak boleh di masa depan."))
    with uploads.changes() as files, atomic_write(f"musyawarah:{desa_code}"):
        name = files.store(image, "musyawarah")
        meeting = Musyawarah.create(desa_code=desa_code, held_on=held_on, berita_acara=name,
                                    officer_id=officer.id)
        audit.record(officer, "musyawarah", "musyawarah", meeting.public_id, region=desa_code)
    return meeting
