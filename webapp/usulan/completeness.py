"""What a draft's steps are and whether each is done: the step list, the
documents a proposal needs, and the completeness check `services.submit()`
runs. Holds no writes, so services and drafts both stand on it."""

from flask_babel import lazy_gettext as _l

from .models import ProposalDocument, ProposalOriginalSeen

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


def originals_seen(proposal):
    """{kind: ProposalOriginalSeen} — each stands in for that upload."""
    return {o.kind: o for o in ProposalOriginalSeen.select().where(ProposalOriginalSeen.proposal == proposal)}
