"""THE proposal state machine: the statuses, the official path, who may move
each step, what must be on file first, and the locked transition.

A proposal is a draft (DRAFT) until the citizen sends it (DIAJUKAN); officers
then forward it along PATH, one step per role, or reject it (DITOLAK) or
return it to the citizen (PERBAIKAN), who sends it back to the step that
returned it. Every move writes a ProposalEvent (the timeline).

`move()` is the one transition: it runs on a row read inside
atomic_write(f"proposal:{id}") and saves only the fields the move changes,
with the status it was read in as a WHERE guard, so neither a stale copy nor a
concurrent writer is overwritten. webapp.usulan.services.advance/submit and
the officer decision (webapp.petugas.decisions) all go through it.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from .. import clock
from ..akun import roles
from ..akun.roles import DINSOS, OPERATOR, PEMDA, PUSAT
from ..errors import Refused
from .models import Proposal, ProposalEvent

DRAFT = "draf"
DIAJUKAN = "diajukan"
MUSYAWARAH = "musyawarah"
VERIFIKASI = "verifikasi"
PENETAPAN = "penetapan"
PENGESAHAN = "pengesahan"
DISETUJUI = "disetujui"
DITOLAK = "ditolak"
PERBAIKAN = "perbaikan"

# The official path, in order; DITOLAK and PERBAIKAN branch off any step
# between DIAJUKAN and PENGESAHAN.
PATH = (DIAJUKAN, MUSYAWARAH, VERIFIKASI, PENETAPAN, PENGESAHAN, DISETUJUI)
IN_REVIEW = PATH[:-1]
CLOSED = frozenset({DISETUJUI, DITOLAK})
EDITABLE = frozenset({DRAFT, PERBAIKAN})
LABELS = {
    DRAFT: _l("Draf (belum dikirim)"),
    DIAJUKAN: _l("Diajukan"),
    MUSYAWARAH: _l("Musyawarah Desa/Kelurahan"),
    VERIFIKASI: _l("Verifikasi Dinas Sosial"),
    PENETAPAN: _l("Penetapan Pemda"),
    PENGESAHAN: _l("Pengesahan Pusat"),
    DISETUJUI: _l("Disetujui"),
    DITOLAK: _l("Ditolak"),
    PERBAIKAN: _l("Perlu perbaikan"),
}

# Officer decisions.
FORWARD = "lanjut"
REJECT = "tolak"
RETURN = "perbaikan"
DECISIONS = (FORWARD, REJECT, RETURN)

# Which roles (webapp.akun.roles) decide a proposal in each status.
STAGE_ROLES = {
    DIAJUKAN: (OPERATOR,),
    MUSYAWARAH: (OPERATOR,),
    VERIFIKASI: DINSOS,
    PENETAPAN: (PEMDA,),
    PENGESAHAN: (PUSAT,),
}
# The step at which Dinas Sosial visits the home.
VISIT_STAGE = VERIFIKASI


class TransitionError(Refused):
    """A move the state machine does not allow; .message says why."""


def label(status):
    return LABELS.get(status, status)


def may_decide(officer, proposal):
    """The officer's role decides the step the proposal is at."""
    return officer.role in STAGE_ROLES.get(proposal.status, ())


def may_visit(officer, proposal):
    """The officer records a home visit on this proposal: Dinas Sosial, at
    the verification step."""
    return proposal.status == VISIT_STAGE and roles.may_visit(officer)


# -- what must be on file before a decision ---------------------------------
@dataclass
class Facts:
    """The records a decision rests on, fetched by the caller (the back
    office owns them): the musyawarah chosen for the decision and the
    latest home visit (a StageRecord with .desil and .desil_reason)."""

    musyawarah: object = None
    visit: object = None


def musyawarah_chosen(proposal, decision, facts):
    """At the musyawarah step every decision names the desa's musyawarah."""
    if facts.musyawarah is None or facts.musyawarah.desa_code != proposal.desa_code:
        raise TransitionError(_l("Pilih musyawarah tempat keputusan ini diambil."))


def visit_recorded(proposal, decision, facts):
    """At verification, forwarding or rejecting needs a home visit on file
    (returning to the citizen does not)."""
    if decision != RETURN and facts.visit is None:
        raise TransitionError(_l("Catat kunjungan rumah sebelum memberi putusan verifikasi."))


def visit_has_desil(proposal, decision, facts):
    """Forwarding from verification needs the visit's desil (or why none)."""
    if decision == FORWARD and facts.visit.desil is None and not facts.visit.desil_reason:
        raise TransitionError(_l("Catat kunjungan rumah dengan desilnya sebelum menyetujui."))


# Status → the checks, in order, before a decision on it.
PRECONDITIONS = {
    MUSYAWARAH: (musyawarah_chosen,),
    VERIFIKASI: (visit_recorded, visit_has_desil),
}


def check_preconditions(proposal, decision, facts):
    """Raises TransitionError for the first rule of the proposal's step
    that the facts do not meet."""
    for rule in PRECONDITIONS.get(proposal.status, ()):
        rule(proposal, decision, facts)


# -- the transition -----------------------------------------------------------
def target_of(status, decision, note):
    """Where an officer's decision takes a proposal in `status`. FORWARD: the
    next step of PATH (from PENGESAHAN to DISETUJUI). REJECT: DITOLAK, a note
    (the reason) required. RETURN: PERBAIKAN, a note required. Allowed only
    from DIAJUKAN … PENGESAHAN."""
    if decision not in DECISIONS:
        raise TransitionError(_l("Keputusan tidak dikenal."))
    if decision in (REJECT, RETURN) and not note:
        raise TransitionError(_l("Tulis alasan atau catatan untuk pengusul."))
    if status not in IN_REVIEW:
        raise TransitionError(_l("Usulan dengan status ini tidak dapat diproses."))
    if decision == FORWARD:
        return PATH[PATH.index(status) + 1]
    return DITOLAK if decision == REJECT else PERBAIKAN


def resend_target(current):
    """Where sending takes a proposal: a draft to DIAJUKAN, a returned one
    back to the step that returned it (`returned_from`)."""
    if current.status == DRAFT:
        return DIAJUKAN
    if current.status == PERBAIKAN:
        return current.returned_from or DIAJUKAN
    raise TransitionError(_l("Usulan ini sudah dikirim."))


def move(current, decision, note, actor_id):
    """An officer's decision on `current`, a row read inside
    atomic_write(f"proposal:{current.id}"). Saves the changed fields only,
    writes the event, and returns {field: new value} (updated_at too). Raises TransitionError."""
    note = (note or "").strip() or None
    target = target_of(current.status, decision, note)
    changes = {"status": target}
    if target == PERBAIKAN:
        changes["returned_from"] = current.status
    if target in CLOSED:
        changes["open_kk"] = None
    changes = apply(current, changes)
    log_event(current, target, actor_id, "petugas", note)
    return changes


def apply(current, changes):
    """Writes `changes` (and updated_at) to the row, guarded by the status it
    was read in; sets them on `current` too. Only these columns are written:
    whatever else the row holds now stays."""
    changes = {**changes, "updated_at": clock.utcnow()}
    saved = (Proposal.update(**changes)
             .where((Proposal.id == current.id) & (Proposal.status == current.status)).execute())
    if saved != 1:  # only without the lock: atomic_write serialises the movers
        raise TransitionError(_l("Usulan dengan status ini tidak dapat diproses."))
    for name, value in changes.items():
        setattr(current, name, value)
    return changes


def log_event(proposal, status, actor_id, role, note=None):
    ProposalEvent.create(proposal=proposal, status=status, note=note or None,
                         actor_id=actor_id, actor_role=role)
