"""Changing a draft: household members, documents, originals seen (the step
list and the completeness check are in completeness.py)."""

import logging

from flask_babel import lazy_gettext as _l
from peewee import IntegrityError

from .. import uploads
from ..db import atomic_write
from ..errors import Refused
from ..registry.models import Program
from .completeness import (  # noqa: F401 - drafts.* stays the name callers use
    CONDITIONS,
    DOCUMENT_KINDS,
    DOCUMENT_NAMES,
    ORIGINAL_KINDS,
    PROPOSABLE,
    STEP_NAMES,
    STEPS,
    documents_of,
    following_step,
    missing_steps,
    next_step,
    originals_seen,
    previous_step,
    required_documents,
    step_done,
)
from .models import ProposalDocument, ProposalMember, ProposalOriginalSeen
from .services import EDITABLE, TransitionError, touch

log = logging.getLogger(__name__)

def programs_for(proposal):
    """[(program, allowed, why)] for the proposable programs. A household the
    registry ranks at desil d may be proposed only for programs admitting d;
    one not ranked yet may be proposed for any (verification sets its desil)."""
    desil = proposal.registry_household.desil if proposal.registry_household_id else None
    rows = []
    for program in Program.select().where(Program.code.in_(PROPOSABLE)).order_by(Program.sort):
        allowed = desil is None or program.max_desil is None or desil <= program.max_desil
        rows.append((program, allowed))
    return rows


# -- members ------------------------------------------------------------------
class MemberError(Refused):
    def __init__(self, field, message):
        super().__init__(message, field)


def members_of(proposal):
    return list(ProposalMember.select().where(ProposalMember.proposal == proposal)
                .order_by(ProposalMember.id))


def save_member(proposal, data, member=None):
    """Adds (or, given `member`, changes) a household member. A NIK already
    in this proposal — the proposed person's or another member's — is refused."""
    if proposal.status not in ("draf", "perbaikan"):
        raise TransitionError(_l("Usulan yang sudah dikirim tidak dapat diubah."))
    duplicate = _l("NIK ini sudah ada dalam usulan. Setiap anggota keluarga punya NIK sendiri.")
    if data["nik"] == proposal.nik:
        raise MemberError("nik", duplicate)
    try:
        with atomic_write(f"proposal:{proposal.id}"):
            if member is None:
                member = ProposalMember(proposal=proposal)
            for key, value in data.items():
                setattr(member, key, value)
            member.save()
            touch(proposal)
    except IntegrityError as exc:
        raise MemberError("nik", duplicate) from exc
    return member


def remove_member(proposal, member):
    with atomic_write(f"proposal:{proposal.id}"):
        member.delete_instance()
        touch(proposal)


# -- documents ----------------------------------------------------------------
def save_document(proposal, kind, file_storage):
    """Checks and stores one uploaded image (webapp.uploads) as `kind`,
    replacing an earlier one. UploadError goes to the caller unchanged."""
    if proposal.status not in ("draf", "perbaikan"):
        raise TransitionError(_l("Usulan yang sudah dikirim tidak dapat diubah."))
    data = uploads.process_image(file_storage)
    # No file without its row, no row without its file (uploads.changes()).
    with uploads.changes() as files, atomic_write(f"proposal:{proposal.id}"):
        doc = ProposalDocument.get_or_none((ProposalDocument.proposal == proposal)
                                           & (ProposalDocument.kind == kind))
        if doc is None:
            doc = ProposalDocument(proposal=proposal, kind=kind)
        else:
            files.delete(doc.stored_name)
        doc.stored_name = files.store(data, "usulan")
        doc.save()
        touch(proposal)
    return doc


def remove_document(proposal, doc):
    with uploads.changes() as files, atomic_write(f"proposal:{proposal.id}"):
        doc.delete_instance()
        touch(proposal)
        files.delete(doc.stored_name)


# -- originals seen by an officer (operator-assisted mode) ---------------------
def _check_assisting(proposal, officer_id):
    """Only the officer filling this assisted draft may tick or untick originals."""
    if proposal.status not in EDITABLE:
        raise TransitionError(_l("Usulan yang sudah dikirim tidak dapat diubah."))
    if proposal.assisted_by is None or proposal.assisted_by != officer_id:
        raise TransitionError(_l("Hanya petugas yang membantu usulan ini yang dapat menandai dokumen asli."))


def mark_original_seen(proposal, kind, officer_id):
    """The officer who fills this assisted proposal saw the original `kind`.
    Nobody else may: a citizen's own proposal, or another officer, is refused."""
    _check_assisting(proposal, officer_id)
    if kind not in ORIGINAL_KINDS:
        raise TransitionError(_l("Dokumen ini harus diunggah."))
    with atomic_write(f"proposal:{proposal.id}"):
        seen = ProposalOriginalSeen.get_or_none((ProposalOriginalSeen.proposal == proposal)
                                                & (ProposalOriginalSeen.kind == kind))
        if seen is None:
            seen = ProposalOriginalSeen.create(proposal=proposal, kind=kind, officer_id=officer_id)
        touch(proposal)
    return seen


def unmark_original_seen(proposal, kind, officer_id):
    """Takes the tick back (an upload is then needed again)."""
    _check_assisting(proposal, officer_id)
    with atomic_write(f"proposal:{proposal.id}"):
        ProposalOriginalSeen.delete().where((ProposalOriginalSeen.proposal == proposal)
                                            & (ProposalOriginalSeen.kind == kind)).execute()
        touch(proposal)
