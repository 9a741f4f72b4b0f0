"""Proposals: the gate, drafts, sending, and the entry points to the state
machine (webapp.usulan.states).

Officers (issue #5) move a proposal with `advance(proposal, actor, decision,
note)`; citizens send with `submit()`. Every move writes a ProposalEvent, and
those rows are the timeline.
"""

import secrets
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from peewee import IntegrityError

from .. import clock
from ..db import atomic_write, new_public_id
from ..identity import check_nik
from ..registry.models import Household
from . import states
from .completeness import missing_steps
from .models import Proposal

# The state machine's vocabulary, named here too for the callers of services.
from .states import (  # noqa: F401
    CLOSED,
    DECISIONS,
    DIAJUKAN,
    DISETUJUI,
    DITOLAK,
    DRAFT,
    EDITABLE,
    FORWARD,
    IN_REVIEW,
    LABELS,
    MUSYAWARAH,
    PATH,
    PENETAPAN,
    PENGESAHAN,
    PERBAIKAN,
    REJECT,
    RETURN,
    VERIFIKASI,
    TransitionError,
    label,
)

ACTIVE = "aktif"  # the account state that may propose (webapp.akun)

# Receipt numbers: no look-alikes (0/O, 1/I/L, 2/Z, 5/S, 8/B, 6/G, U/V).
RECEIPT_ALPHABET = "ACEFHJKMNPRTWXY3479"
HIGH_DESIL = 6  # desil 6–10 is outside every program's range


def is_assisted(proposal):
    """Filled at the kiosk by an officer on the citizen's behalf."""
    return proposal.assisted_by is not None


def is_open(proposal):
    return proposal.status not in CLOSED


def new_receipt_no():
    def group():
        return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(4))

    return f"USL-{group()}-{group()}"


def own(account, public_id):
    """The account's proposal with this public id, or None (never another's)."""
    if account is None or not public_id:
        return None
    return Proposal.get_or_none((Proposal.public_id == public_id) & (Proposal.account_id == account.id))


def own_proposals(account):
    return list(Proposal.select().where(Proposal.account_id == account.id)
                .order_by(Proposal.created_at.desc()))


@dataclass
class Gate:
    """The answer to "Cek Usulan": `proposal` when one may go on; otherwise
    `refusal` is desil / own_open / other_open, with `proposal` set to the
    account's own open proposal for own_open."""

    proposal: Proposal | None = None
    refusal: str | None = None
    household: Household | None = None


def start(account, no_kk, nik, assisted_by=None):
    """Opens a draft for the household `no_kk`, proposed person `nik` (both
    already validated), unless the registry ranks the household desil 6–10 or
    an open proposal for that KK exists. Read and write in one locked
    transaction; the unique open_kk column is the last word. `assisted_by`:
    the officer's account id in operator-assisted mode (webapp.petugas.assisted
    checks the region first); the officer is then `account` too."""
    household = Household.get_or_none(Household.no_kk == no_kk)
    if household is not None and household.desil is not None and household.desil >= HIGH_DESIL:
        return Gate(refusal="desil", household=household)
    nik_info = check_nik(nik)
    try:
        with atomic_write(f"kk:{no_kk}"):
            existing = Proposal.get_or_none(Proposal.open_kk == no_kk)
            if existing is not None:
                mine = existing.account_id == account.id
                return Gate(proposal=existing if mine else None,
                            refusal="own_open" if mine else "other_open", household=household)
            proposal = Proposal.create(
                public_id=new_public_id(), account_id=account.id, status=DRAFT, open_kk=no_kk,
                no_kk=no_kk, registry_household=household, nik=nik,
                birth_date=nik_info.birth_date, sex=nik_info.sex, assisted_by=assisted_by)
    except IntegrityError:
        # Another request opened one between our read and write.
        return Gate(refusal="other_open", household=household)
    return Gate(proposal=proposal, household=household)


def touch(proposal, **fields):
    """Saves answers of a step on an editable proposal."""
    if proposal.status not in EDITABLE:
        raise TransitionError(_l("Usulan yang sudah dikirim tidak dapat diubah."))
    for name, value in fields.items():
        setattr(proposal, name, value)
    proposal.updated_at = clock.utcnow()
    proposal.save()
    return proposal


def submit(proposal, account):
    """The citizen sends a complete draft (or a returned proposal, which goes
    back to the step that returned it). Returns the proposal with its receipt.
    Checks and writes the freshly locked row (only the fields sending changes);
    the caller's copy gets the same values."""
    if proposal.account_id != account.id:
        raise TransitionError(_l("Usulan tidak ditemukan."))
    if missing_steps(proposal):
        raise TransitionError(_l("Lengkapi semua bagian sebelum mengirim."))
    with atomic_write(f"proposal:{proposal.id}"):
        current = Proposal.get_by_id(proposal.id)
        target = states.resend_target(current)
        changes = {"status": target, "returned_from": None}
        if current.receipt_no is None:
            changes.update(receipt_no=_unique_receipt(), submitted_at=clock.utcnow())
        changes = states.apply(current, changes)
        # A resend is logged at the step it returns to, by the citizen (or
        # by the officer who fills it in operator-assisted mode).
        states.log_event(current, target, account.id, "petugas" if is_assisted(current) else "warga")
    _copy(changes, proposal)
    return proposal


def _copy(changes, proposal):
    for name, value in changes.items():
        setattr(proposal, name, value)


def _unique_receipt():
    for _attempt in range(10):
        number = new_receipt_no()
        if not Proposal.select().where(Proposal.receipt_no == number).exists():
            return number
    raise RuntimeError("could not find a free receipt number")


def advance(proposal, actor, decision, note=None):
    """An officer's move (see webapp.usulan.states.target_of), taken on the
    freshly locked row; the caller's copy gets the changed fields. `actor`
    needs an `id`. Raises TransitionError."""
    with atomic_write(f"proposal:{proposal.id}"):
        current = Proposal.get_by_id(proposal.id)
        changes = states.move(current, decision, note, getattr(actor, "id", None))
    _copy(changes, proposal)
    return proposal
