"""Operator-assisted mode (issue #8) as plain functions: an officer at the
kiosk fills a proposal on behalf of a citizen who is present.

The proposal is an ordinary usulan draft (the same steps, gate and state
machine) owned by the officer (`account_id`) and marked `assisted_by`. The
officer may tick "original document seen" instead of uploading e-KTP, KK or
SKTM; sending gives the receipt number and the printable receipt (no e-mail:
the citizen may have none). Everything stays inside the officer's region
(scope.py) and each step writes an audit row with ids and codes only.
"""

from flask_babel import lazy_gettext as _l

from ..akun import audit, roles
from ..errors import Refused
from ..registry.models import Household
from ..usulan import drafts, states
from ..usulan import services as usulan
from ..usulan.models import Proposal
from . import scope


class AssistRefused(Refused):
    """An assisted-mode step the rules refuse; .message tells the officer why."""


class OutOfRegion(Exception):
    """The household is registered outside the officer's region."""


def start(officer, no_kk, nik):
    """The "Cek Usulan" gate on the citizen's behalf. A household the registry
    places outside the officer's region raises OutOfRegion; otherwise the
    usulan gate decides (desil 6–10, an open proposal). A new draft starts at
    the household's desa (or the operator's own desa) when known."""
    household = Household.get_or_none(Household.no_kk == no_kk)
    if household is not None and not scope.code_in_region(household.desa_code, officer):
        raise OutOfRegion()
    gate = usulan.start(officer, no_kk, nik, assisted_by=officer.id)
    if gate.refusal is None:
        proposal = gate.proposal
        desa = household.desa_code if household is not None else (
            officer.region_scope if officer.role == roles.OPERATOR else None)
        if desa:
            usulan.touch(proposal, desa=desa)
        audit.record(officer, "bantu_usulan", "usulan", proposal.public_id,
                     region=desa or officer.region_scope or "", detail="mulai")
    else:
        audit.record(officer, "bantu_usulan", "usulan", "", detail=f"tolak:{gate.refusal}")
    return gate


def set_original_seen(officer, proposal, kind, seen):
    """Ticks (or unticks) "Dokumen asli sudah dilihat petugas" for `kind`.
    Raises states.TransitionError when that is not allowed."""
    if seen:
        drafts.mark_original_seen(proposal, kind, officer.id)
    else:
        drafts.unmark_original_seen(proposal, kind, officer.id)
    audit.record(officer, "dokumen_asli", "usulan", proposal.public_id,
                 region=proposal.desa_code or officer.region_scope or "",
                 detail=f"{'lihat' if seen else 'batal'}:{kind}")


def send(officer, proposal):
    """Sends the assisted proposal (the receipt number is given by
    usulan.submit). Its domicile must lie in the officer's region."""
    if proposal.assisted_by != officer.id:
        raise AssistRefused(_l("Usulan ini dibantu petugas lain."))
    if proposal.desa_code and not scope.code_in_region(proposal.desa_code, officer):
        raise AssistRefused(_l("Alamat domisili di luar wilayah tugas Anda."))
    try:
        usulan.submit(proposal, officer)
    except states.TransitionError as exc:
        raise AssistRefused(exc.message) from None
    audit.record(officer, "bantu_usulan", "usulan", proposal.public_id, region=proposal.desa_code,
                 detail="kirim")
    return proposal


def assisted_list(officer):
    """The officer's assisted proposals, newest first."""
    return list(scope.assisted_for(officer).order_by(Proposal.created_at.desc()).limit(50))
