"""Officer decisions as plain functions: proposals, home visits, musyawarah,
accounts and objections. Each is one locked transaction with an audit row;
the citizen is told by e-mail afterwards."""

import logging
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from peewee import fn

from .. import tasks, uploads
from ..akun import services as akun_services
from ..akun.models import Account
from ..db import atomic_write
from ..delivery import notify
from ..registry.models import Enrollment
from ..registry.programs import quarter_of
from ..sanggahan import services as sanggahan
from ..usulan import services as usulan
from ..usulan.models import Proposal, ProposalEvent
from . import audit, scope
from .integrate import integrate
from .models import Musyawarah, StageRecord, VisitPhoto

log = logging.getLogger(__name__)

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


class DecisionRefused(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


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


def has_visit(proposal):
    return StageRecord.select().where((StageRecord.proposal == proposal)
                                      & (StageRecord.stage == usulan.VERIFIKASI)).exists()


def latest_visit(proposal):
    """The latest home visit: its desil (or reason) is the household's."""
    return (StageRecord.select().where((StageRecord.proposal == proposal)
                                       & (StageRecord.stage == usulan.VERIFIKASI))
            .order_by(StageRecord.id.desc()).first())


def program_checks(proposal, visit=None):
    """[(program, allowed)] for the proposed programs against the desil of
    the latest home visit: what approval will enrol, flagged beforehand."""
    from ..registry.models import Program
    from ..registry.programs import desil_allows

    visit = visit if visit is not None else latest_visit(proposal)
    if visit is None:
        return []
    desil = visit.desil
    programs = {p.code: p for p in Program.select().where(Program.code.in_(proposal.program_list))}
    return [(programs[code], desil_allows(code, desil, programs[code].max_desil))
            for code in proposal.program_list if code in programs]


def decide_proposal(officer, proposal, decision, note, shown_version, musyawarah=None):
    """The officer's decision on a proposal in their region at their stage.
    Raises DecisionRefused with a message for the officer."""
    note = (note or "").strip()
    with atomic_write(f"proposal:{proposal.id}"):
        current = Proposal.get_by_id(proposal.id)
        if version_of(current) != shown_version:
            raise DecisionRefused(_l("Usulan ini sudah diputuskan atau berubah sejak halaman dibuka. "
                                     "Periksa keadaan terbaru di bawah."))
        if not scope.may_decide(officer, current):
            raise DecisionRefused(_l("Tahap ini bukan wewenang Anda."))
        stage = current.status
        if stage == usulan.MUSYAWARAH:
            if musyawarah is None or musyawarah.desa_code != current.desa_code:
                raise DecisionRefused(_l("Pilih musyawarah tempat keputusan ini diambil."))
            StageRecord.create(proposal=current, stage=stage, musyawarah=musyawarah,
                               held_on=musyawarah.held_on, officer_id=officer.id)
        if stage == usulan.VERIFIKASI and decision != usulan.RETURN and not has_visit(current):
            raise DecisionRefused(_l("Catat kunjungan rumah sebelum memberi putusan verifikasi."))
        if stage == usulan.VERIFIKASI and decision == usulan.FORWARD:
            visit = latest_visit(current)
            if visit.desil is None and not visit.desil_reason:
                raise DecisionRefused(_l("Catat kunjungan rumah dengan desilnya sebelum menyetujui."))
        try:
            usulan.advance(current, officer, decision, note)
        except usulan.TransitionError as exc:
            raise DecisionRefused(exc.message) from None
        if current.status == usulan.DISETUJUI:
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
    if status == usulan.PERBAIKAN:
        body = _("Usulan %(no)s perlu diperbaiki. Catatan petugas: %(note)s\n\n"
                 "Masuk ke Cek Bansos, buka Usulan, perbaiki bagian yang diminta, lalu kirim lagi.",
                 no=proposal.receipt_no, note=note)
    elif status == usulan.DITOLAK:
        body = _("Usulan %(no)s tidak disetujui. Alasan: %(note)s", no=proposal.receipt_no, note=note)
    elif status == usulan.DISETUJUI:
        body = _("Usulan %(no)s disetujui. Keluarga Anda sudah tercatat sebagai penerima dan dapat "
                 "dicek di halaman Cek Bansos.", no=proposal.receipt_no)
    else:
        body = _("Usulan %(no)s maju ke tahap: %(stage)s.", no=proposal.receipt_no,
                 stage=usulan.label(status))
    notify(account, _("Kabar usulan %(no)s", no=proposal.receipt_no), body)


def record_visit(officer, proposal, held_on, checklist, notes, photos=(), desil=None, desil_reason=None):
    """A home visit (Dinas Sosial, at the verification stage) with the desil
    it gives the household (1–10), or none yet and why. `photos` are
    processed image bytes, stored before the rows (see webapp.uploads)."""
    if proposal.status != usulan.VERIFIKASI or officer.role not in scope.DINSOS:
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
        record = StageRecord.create(proposal=proposal, stage=usulan.VERIFIKASI, held_on=held_on,
                                    checklist=",".join(checklist), notes=(notes or "").strip() or None,
                                    officer_id=officer.id, desil=desil, desil_reason=desil_reason)
        for name in names:
            VisitPhoto.create(record=record, stored_name=name)
        audit.record(officer, "kunjungan_rumah", "usulan", proposal.public_id, region=proposal.desa_code,
                     detail=f"foto:{len(names)}")
    return record


def create_musyawarah(officer, desa_code, held_on, image):
    if officer.role != scope.OPERATOR or not scope.code_in_region(desa_code, officer):
        raise DecisionRefused(_l("Musyawarah dicatat oleh operator desa/kelurahan untuk desanya."))
    if held_on > date.today():
        raise DecisionRefused(_l("Tanggal musyawarah tidak boleh di masa depan."))
    with uploads.changes() as files, atomic_write(f"musyawarah:{desa_code}"):
        name = files.store(image, "musyawarah")
        meeting = Musyawarah.create(desa_code=desa_code, held_on=held_on, berita_acara=name,
                                    officer_id=officer.id)
        audit.record(officer, "musyawarah", "musyawarah", meeting.public_id, region=desa_code)
    return meeting


def decide_account(officer, account, decision, reason=None):
    """Approve, or reject with one of the fixed reasons; the citizen is told."""
    if not scope.may_verify_accounts(officer):
        raise DecisionRefused(_l("Verifikasi akun bukan wewenang Anda."))
    if decision == "setujui":
        done = akun_services.approve(account)
        body = _("Akun Cek Bansos Anda sudah diverifikasi petugas dan sekarang aktif. "
                 "Anda dapat mengajukan usulan dan sanggahan.")
    elif decision == "tolak" and reason in akun_services.REJECT_REASONS:
        done = akun_services.reject(account, reason)
        what, todo = akun_services.REJECT_REASONS[reason]
        body = _("Akun Cek Bansos Anda belum dapat diverifikasi. Alasan: %(what)s\n\nYang perlu "
                 "dilakukan: %(todo)s", what=what, todo=todo)
    else:
        raise DecisionRefused(_l("Pilih setujui, atau tolak dengan alasan."))
    if not done:
        raise DecisionRefused(_l("Akun ini sudah diputuskan."))
    audit.record(officer, "putusan_akun", "akun", account.public_id, region=account.desa_code,
                 detail=decision if decision == "setujui" else f"tolak:{reason}")
    notify(account, _("Verifikasi akun Cek Bansos"), body)


def _end_upcoming(objection):
    """Enrollments after this quarter that the objection covers end too: an
    upheld objection must not leave the person in next period's list."""
    person = objection.person
    year, quarter = quarter_of(date.today())
    later = (Enrollment.year > year) | ((Enrollment.year == year) & (Enrollment.quarter > quarter))
    mine = Enrollment.person == person.id
    if person.relationship == "Kepala Keluarga":
        mine = mine | ((Enrollment.household == person.household_id) & Enrollment.person.is_null())
    cond = later & mine & (Enrollment.status == "YA")
    if objection.program_code:
        cond &= Enrollment.program == objection.program_code
    ended = (sanggahan.WITHDRAW_REASON[1] if objection.kind == sanggahan.MUNDUR
             else sanggahan.REASONS.get(objection.reason, ("", "EXCLUDE – LAINNYA"))[1])
    Enrollment.update(status="TIDAK", stage="DIHENTIKAN", ended_reason=ended).where(cond).execute()


def decide_objection(officer, objection, decision, note):
    """Uphold (the enrollments end with the reason) or dismiss (a note for
    the reporter). Withdrawals are decided the same way."""
    if officer.role not in scope.OBJECTION_ROLES:
        raise DecisionRefused(_l("Sanggahan diputuskan oleh Dinas Sosial."))
    try:
        with atomic_write(f"objection:{objection.id}"):
            if decision == "terima":
                sanggahan.uphold(objection, officer, note)
                _end_upcoming(objection)
            elif decision == "tolak":
                sanggahan.dismiss(objection, officer, note)
            else:
                raise DecisionRefused(_l("Pilih terima atau tolak."))
            audit.record(officer, "putusan_sanggahan", "sanggahan", objection.public_id,
                         region=objection.person.desa_code, detail=f"{objection.kind}:{decision}")
    except sanggahan.DecisionError as exc:
        raise DecisionRefused(exc.message) from None
    account = Account.get_or_none(Account.id == objection.account_id)
    if account is not None:
        if decision == "terima":
            body = _("Laporan Anda sudah diperiksa Dinas Sosial dan diterima: bantuan yang dilaporkan "
                     "dihentikan. Terima kasih.")
        else:
            body = _("Laporan Anda sudah diperiksa Dinas Sosial dan tidak diterima. Catatan petugas: "
                     "%(note)s", note=(note or "").strip())
        notify(account, _("Hasil pemeriksaan laporan Anda"), body)
    return objection


@tasks.handler("objection_deadlines")
def apply_objection_deadlines(today=None):
    """The day-14 rule (webapp.sanggahan.services.uphold_lapsed) over every
    objection past its due date, each in one transaction with its audit row
    (`sanggahan_otomatis`) and the reporter told. Idempotent: decided ones
    are skipped. Off when SANGGAHAN_LAPSE_OUTCOME is None. Returns the count."""
    if sanggahan.lapse_outcome() != sanggahan.LAPSE_UPHOLD:
        return 0
    applied = []
    for objection in list(sanggahan.lapsed(today)):
        try:
            with atomic_write(f"objection:{objection.id}"):
                sanggahan.uphold_lapsed(objection)
                _end_upcoming(objection)
                audit.record(None, "sanggahan_otomatis", "sanggahan", objection.public_id,
                             region=objection.person.desa_code,
                             detail=f"hari_{sanggahan.handling_days()}:{sanggahan.UPHELD}")
        except sanggahan.DecisionError:
            continue
        applied.append(objection)
    for objection in applied:
        account = Account.get_or_none(Account.id == objection.account_id)
        if account is not None:
            notify(account, _("Sanggahan Anda diterima otomatis"),
                   _("Sanggahan Anda tidak ditindaklanjuti pemerintah daerah dalam %(n)d hari, sehingga "
                     "menurut aturan Usul–Sanggah dianggap diterima: bantuan penerima yang Anda "
                     "laporkan dihentikan.", n=sanggahan.handling_days()))
    if applied:
        log.info("day-14 rule applied to %d objection(s)", len(applied))
    return len(applied)
