"""A proposal (usulan), its household members, documents and status events."""

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from .. import clock
from ..db import BaseModel, comma_list, register
from ..registry.models import Household, Region


@register
class Proposal(BaseModel):
    # Random, in URLs; the integer id never leaves the server.
    public_id = CharField(max_length=32, unique=True)
    # The proposing account (webapp.akun). Kept as a plain column until the
    # Account model exists; the owner check is done by the services.
    account_id = IntegerField(index=True)
    # Given when sent; random, unique, what a citizen quotes at the office.
    receipt_no = CharField(max_length=16, unique=True, null=True)
    status = CharField(max_length=20, index=True)
    # Equals no_kk while the proposal is open, NULL once decided. A unique
    # column that allows many NULLs is a portable "partial" unique index:
    # at most one open proposal per No. KK, on SQLite and PostgreSQL alike.
    open_kk = CharField(max_length=16, unique=True, null=True)
    no_kk = CharField(max_length=16, index=True)
    registry_household = ForeignKeyField(Household, null=True, on_delete="SET NULL")
    # The proposed person, as on the KTP.
    nik = CharField(max_length=16)
    name = CharField(max_length=120, null=True)
    birth_place = CharField(max_length=60, null=True)
    birth_date = DateField(null=True)
    sex = CharField(max_length=1, null=True)
    occupation = CharField(max_length=60, null=True)
    members_done = BooleanField(default=False)
    # Domicile.
    desa = ForeignKeyField(Region, null=True, column_name="desa_code", on_delete="RESTRICT")
    street = CharField(max_length=200, null=True)
    rt = CharField(max_length=3, null=True)
    rw = CharField(max_length=3, null=True)
    conditions = CharField(max_length=200, default="")  # comma-separated codes
    reason = TextField(null=True)
    programs = CharField(max_length=100, default="")  # comma-separated program codes
    # Where "Perlu perbaikan" came from: sending again resumes there.
    returned_from = CharField(max_length=20, null=True)
    # Operator-assisted mode: the officer (Account id) who filled this proposal
    # at the kiosk on the citizen's behalf; None for a citizen's own. Such a
    # proposal is owned (account_id) by that officer too. No index: a column
    # added by a migration must not be indexed by create_tables on an old
    # database before the migration runs (migrations.py).
    assisted_by = IntegerField(null=True)
    created_at = DateTimeField(default=clock.utcnow)
    updated_at = DateTimeField(default=clock.utcnow)
    submitted_at = DateTimeField(null=True)

    class Meta:
        table_name = "proposal"

    @property
    def condition_list(self):
        return comma_list(self.conditions)

    @property
    def program_list(self):
        return comma_list(self.programs)


@register
class ProposalMember(BaseModel):
    proposal = ForeignKeyField(Proposal, backref="members", on_delete="CASCADE")
    nik = CharField(max_length=16)
    name = CharField(max_length=120)
    relationship = CharField(max_length=30)
    birth_date = DateField()
    sex = CharField(max_length=1)
    occupation = CharField(max_length=60)

    class Meta:
        table_name = "proposal_member"
        indexes = ((("proposal", "nik"), True),)


@register
class ProposalDocument(BaseModel):
    proposal = ForeignKeyField(Proposal, backref="documents", on_delete="CASCADE")
    kind = CharField(max_length=10)  # ektp / kk / sktm / rumah
    stored_name = CharField(max_length=200)  # relative name from webapp.uploads.store
    created_at = DateTimeField(default=clock.utcnow)

    class Meta:
        table_name = "proposal_document"
        indexes = ((("proposal", "kind"), True),)


@register
class ProposalOriginalSeen(BaseModel):
    """Operator-assisted mode: the officer saw the original paper document
    (e-KTP, KK, SKTM) at the kiosk, which stands in for its upload. A row of
    its own, so a document row always points at a file."""

    proposal = ForeignKeyField(Proposal, backref="originals_seen", on_delete="CASCADE")
    kind = CharField(max_length=10)  # ektp / kk / sktm
    officer_id = IntegerField()  # Account id of the officer who saw it
    created_at = DateTimeField(default=clock.utcnow)

    class Meta:
        table_name = "proposal_original_seen"
        indexes = ((("proposal", "kind"), True),)


@register
class ProposalEvent(BaseModel):
    """One step of the timeline: who moved the proposal to which status, when."""

    proposal = ForeignKeyField(Proposal, backref="events", on_delete="CASCADE")
    status = CharField(max_length=20)
    note = TextField(null=True)
    actor_id = IntegerField(null=True)
    actor_role = CharField(max_length=12)  # warga / petugas / sistem
    created_at = DateTimeField(default=clock.utcnow)

    class Meta:
        table_name = "proposal_event"
        indexes = ((("proposal", "created_at"), False),)
