"""What a proposal's status page shows: the dated timeline, and the public
check by receipt number and birth date."""

from dataclasses import dataclass
from datetime import datetime

from .access import assisting_officer
from .models import Proposal, ProposalEvent
from .services import DIAJUKAN, DISETUJUI, DITOLAK, DRAFT, IN_REVIEW, PATH, PERBAIKAN, label


@dataclass
class TimelineStep:
    status: str
    label: str
    at: datetime | None
    note: str | None
    state: str  # done / current / todo / returned / rejected
    helper: str | None = None  # assisted mode: the helping officer's role, on "Diajukan"


def timeline(proposal):
    """Every event that happened (dated, with notes), then the steps of the
    official path still ahead."""
    events = list(ProposalEvent.select().where(ProposalEvent.proposal == proposal)
                  .order_by(ProposalEvent.created_at, ProposalEvent.id))
    helper = assisting_officer(proposal)
    steps = []
    for i, e in enumerate(events):
        last = i == len(events) - 1
        state = {PERBAIKAN: "returned", DITOLAK: "rejected"}.get(e.status, "current" if last else "done")
        if e.status == DISETUJUI:
            state = "done"
        step = TimelineStep(e.status, str(label(e.status)), e.created_at, e.note, state)
        if helper is not None and e.status == DIAJUKAN and i == 0:
            step.helper = helper.role
        steps.append(step)
    if proposal.status in IN_REVIEW:
        for status in PATH[PATH.index(proposal.status) + 1:]:
            steps.append(TimelineStep(status, str(label(status)), None, None, "todo"))
    return steps


def find_by_receipt(receipt_no, birth_date):
    """The public status check: a sent proposal with this receipt number whose
    proposed person was born on `birth_date`; None for any mismatch."""
    number = (receipt_no or "").strip().upper().replace(" ", "")
    if not number.startswith("USL-"):
        number = "USL-" + number
    proposal = Proposal.get_or_none(Proposal.receipt_no == number)
    if proposal is None or proposal.status == DRAFT or proposal.birth_date != birth_date:
        return None
    return proposal
