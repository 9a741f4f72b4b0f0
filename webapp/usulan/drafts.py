"""The steps of a draft: what each holds, whether it is done, household
members and documents."""

import logging

from flask_babel import lazy_gettext as _l
from peewee import IntegrityError

from ..db import atomic_write
from ..registry.models import Program
from .models import ProposalDocument, ProposalMember, ProposalOriginalSeen
from .services import EDITABLE, TransitionError, touch

log = logging.getLogger(__name__)

# (endpoint suffix, title) in the order a person goes through them.
STEPS = (
    ("data_diri", _l("Data diri sesuai KTP")),
    ("anggota", _l("Anggota keluarga sesuai KK")),
    ("domisili", _l("Alamat domisili")),
    ("kondisi", _l("Kondisi dan alasan")),
    ("program", _l("Program yang diusulkan")),
    ("dokumen", _l("Dokumen")),
)
STEP_NAMES = tuple(name for name, _t in STEPS)

CONDITIONS = (
    ("lansia", _l("Ada anggota lanjut usia (60 tahun ke atas)")),
    ("disabilitas", _l("Ada penyandang disabilitas")),
    ("hamil", _l("Ada ibu hamil atau menyusui")),
    ("anak_sekolah", _l("Ada anak usia sekolah")),
    ("balita", _l("Ada anak usia dini (0–6 tahun)")),
    ("tanpa_penghasilan", _l("Tidak punya penghasilan tetap")),
    ("sakit_menahun", _l("Ada anggota yang sakit menahun")),
)
PROPOSABLE = ("PKH", "SEMBAKO", "PBI-JK")

DOCUMENT_KINDS = (
    ("ektp", _l("Foto e-KTP")),
    ("kk", _l("Foto Kartu Keluarga (KK)")),
    ("sktm", _l("Surat Keterangan Tidak Mampu (SKTM)")),
    ("rumah", _l("Foto rumah (boleh tidak ada)")),
)
DOCUMENT_NAMES = dict(DOCUMENT_KINDS)
# Documents whose original an officer may see at the kiosk instead of an
# upload (operator-assisted mode); the house photo has no original.
ORIGINAL_KINDS = ("ektp", "kk", "sktm")


def required_documents(proposal):
    """e-KTP and KK always; an SKTM when the household is not in the registry."""
    kinds = ["ektp", "kk"]
    if proposal.registry_household_id is None:
        kinds.append("sktm")
    return kinds


def documents_of(proposal):
    return {d.kind: d for d in ProposalDocument.select().where(ProposalDocument.proposal == proposal)}


def step_done(proposal, step):
    if step == "data_diri":
        return bool(proposal.name and proposal.birth_place and proposal.occupation)
    if step == "anggota":
        return proposal.members_done
    if step == "domisili":
        return bool(proposal.desa_code and proposal.street)
    if step == "kondisi":
        return bool(proposal.reason)
    if step == "program":
        return bool(proposal.program_list)
    if step == "dokumen":
        have = set(documents_of(proposal)) | set(originals_seen(proposal))
        return all(kind in have for kind in required_documents(proposal))
    raise ValueError(step)


def missing_steps(proposal):
    return [name for name in STEP_NAMES if not step_done(proposal, name)]


def next_step(proposal):
    """Where "Lanjutkan" takes a person: the first step not done, else the review."""
    missing = missing_steps(proposal)
    return missing[0] if missing else "periksa"


def previous_step(step):
    i = STEP_NAMES.index(step)
    return STEP_NAMES[i - 1] if i else None


def following_step(step):
    i = STEP_NAMES.index(step)
    return STEP_NAMES[i + 1] if i + 1 < len(STEP_NAMES) else "periksa"


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
class MemberError(Exception):
    def __init__(self, field, message):
        super().__init__(message)
        self.field = field
        self.message = message


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
    from .. import uploads

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
    from .. import uploads

    with uploads.changes() as files, atomic_write(f"proposal:{proposal.id}"):
        doc.delete_instance()
        touch(proposal)
        files.delete(doc.stored_name)


# -- originals seen by an officer (operator-assisted mode) ---------------------
def originals_seen(proposal):
    """{kind: ProposalOriginalSeen} — each stands in for that upload."""
    return {o.kind: o for o in ProposalOriginalSeen.select().where(ProposalOriginalSeen.proposal == proposal)}


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
