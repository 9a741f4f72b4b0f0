"""Officer profiles, musyawarah and home-visit records and import jobs.
Officers are webapp.akun Accounts whose role is not "warga". The audit log
is webapp.akun.audit (AuditLog is named here too, for the officer code)."""


from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from ..akun.audit import AuditLog  # noqa: F401
from ..akun.models import Account, utcnow
from ..crypto import SealedBlobField, SealedTextField
from ..db import BaseModel, comma_list, new_public_id, register
from ..usulan.models import Proposal


@register
class OfficerProfile(BaseModel):
    """What an officer has beyond an account: the TOTP secret (never in the
    session), the last time step used (a code works once) and the switch
    that disables the officer."""

    account = ForeignKeyField(Account, unique=True, backref="officer", on_delete="CASCADE")
    # Sealed with the installation key (webapp.crypto); plaintext in Python.
    totp_secret = SealedTextField()
    totp_last_step = IntegerField(default=0)
    active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "officer_profile"


@register
class Musyawarah(BaseModel):
    """A village meeting (musyawarah desa/kelurahan) with its minutes."""

    public_id = CharField(max_length=32, unique=True, default=new_public_id)
    desa_code = CharField(max_length=13, index=True)
    held_on = DateField()
    berita_acara = CharField(max_length=200)  # stored upload name
    officer_id = IntegerField()
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "musyawarah"


@register
class StageRecord(BaseModel):
    """What backs an officer's decision at a stage: the musyawarah it was taken
    in, or the home visit (date, checklist, notes)."""

    public_id = CharField(max_length=32, unique=True, default=new_public_id)
    proposal = ForeignKeyField(Proposal, backref="stage_records", on_delete="CASCADE")
    stage = CharField(max_length=20)
    musyawarah = ForeignKeyField(Musyawarah, null=True, on_delete="RESTRICT")
    held_on = DateField(null=True)
    checklist = CharField(max_length=200, default="")  # comma-separated codes
    notes = TextField(null=True)
    officer_id = IntegerField()
    created_at = DateTimeField(default=utcnow)
    # The home visit's desil (1–10), or None with desil_reason saying why it
    # is not assigned yet. Approval gives the household this desil.
    desil = IntegerField(null=True)
    desil_reason = CharField(max_length=200, null=True)

    class Meta:
        table_name = "stage_record"

    @property
    def checklist_codes(self):
        return comma_list(self.checklist)


@register
class VisitPhoto(BaseModel):
    public_id = CharField(max_length=32, unique=True, default=new_public_id)
    record = ForeignKeyField(StageRecord, backref="photos", on_delete="CASCADE")
    stored_name = CharField(max_length=200)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "visit_photo"


@register
class ImportJob(BaseModel):
    """A registry import: its progress for the polling page and its report."""

    public_id = CharField(max_length=32, unique=True, default=new_public_id)
    officer_id = IntegerField(null=True)  # None: from the command line
    status = CharField(max_length=12, default="menunggu")  # menunggu/berjalan/selesai/gagal
    total = IntegerField(default=0)
    done = IntegerField(default=0)
    applied = IntegerField(default=0)
    report = TextField(default="")  # JSON: [[line, message], …]
    created_at = DateTimeField(default=utcnow)
    finished_at = DateTimeField(null=True)

    class Meta:
        table_name = "import_job"


@register
class OfficerEnrolment(BaseModel):
    """A one-time link a higher officer hands to a new officer (or to one
    whose TOTP was reset): it lets them set their password (new officers)
    and enrol their authenticator app by QR code. Only the token's hash is
    kept; the link is shown once to the officer who made it."""

    account = ForeignKeyField(Account, backref="enrolments", on_delete="CASCADE")
    token_hash = CharField(max_length=64, unique=True)
    purpose = CharField(max_length=8)  # baru / reset
    created_by = IntegerField(null=True)  # Account.id of the higher officer
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)
    # The secret offered on the QR page, kept until the first code confirms
    # it; sealed at rest like the confirmed one (webapp.crypto).
    pending_secret = SealedTextField(null=True)

    class Meta:
        table_name = "officer_enrolment"


@register
class RecoveryCode(BaseModel):
    """Single-use codes that stand in for the TOTP code when the phone is
    lost; stored as keyed hashes, shown once when made."""

    account = ForeignKeyField(Account, backref="recovery_codes", on_delete="CASCADE")
    code_hash = CharField(max_length=64, index=True)
    created_at = DateTimeField(default=utcnow)
    used_at = DateTimeField(null=True)

    class Meta:
        table_name = "recovery_code"


@register
class ImportUpload(BaseModel):
    """The uploaded file of a queued import, kept in the database until the
    consumer (on any host) has run the job; then deleted. Sealed at rest: it
    holds every NIK of the file (webapp.crypto)."""

    job = ForeignKeyField(ImportJob, unique=True, backref="uploads", on_delete="CASCADE")
    data = SealedBlobField()

    class Meta:
        table_name = "import_upload"
