"""Objections to a recipient (sanggah) and withdrawals (mundur), and the
one-tap eligibility responses (Tanggapan Kelayakan)."""

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    DoubleField,
    ForeignKeyField,
    IntegerField,
    SmallIntegerField,
    TextField,
)

from .. import clock
from ..db import BaseModel, register
from ..registry.models import Person, Program


@register
class Objection(BaseModel):
    public_id = CharField(max_length=32, unique=True)  # random, in URLs
    # The citizen's account (webapp.akun); the owner check is in the services.
    account_id = IntegerField(index=True)
    kind = CharField(max_length=8)  # sanggah / mundur
    person = ForeignKeyField(Person, backref="objections", on_delete="CASCADE")
    # A withdrawal names the program; an objection covers all the person receives.
    program = ForeignKeyField(Program, null=True, column_name="program_code", on_delete="RESTRICT")
    reason = CharField(max_length=12)
    note = TextField(null=True)
    photo = CharField(max_length=200, null=True)  # stored upload name
    # Where the recipient lives: from the phone (one tap), typed, or described.
    latitude = DoubleField(null=True)
    longitude = DoubleField(null=True)
    location_note = TextField(null=True)
    honest = BooleanField()
    status = CharField(max_length=12, index=True)
    created_at = DateTimeField(default=clock.utcnow)
    due_date = DateField()  # created + the handling days: the window shown to citizen and officer
    decided_at = DateTimeField(null=True)
    decided_by = IntegerField(null=True)
    # True when the day-14 rule decided it (nobody handled it in time).
    decided_auto = BooleanField(default=False)
    decision_note = TextField(null=True)

    class Meta:
        table_name = "objection"
        indexes = ((("person", "status"), False),)


@register
class EligibilityResponse(BaseModel):
    """One citizen's "Layak" / "Tidak layak" about one recipient for one
    period: one row per account, person and quarter, changeable."""

    account_id = IntegerField()
    person = ForeignKeyField(Person, backref="eligibility_responses", on_delete="CASCADE")
    year = SmallIntegerField()
    quarter = SmallIntegerField()
    eligible = BooleanField()
    updated_at = DateTimeField(default=clock.utcnow)

    class Meta:
        table_name = "eligibility_response"
        indexes = (
            (("account_id", "person", "year", "quarter"), True),
            (("person", "year", "quarter", "eligible"), False),
        )
