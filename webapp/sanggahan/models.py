"""Objections to a recipient (sanggah) and withdrawals (mundur)."""

from datetime import datetime

from peewee import BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, TextField

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
    honest = BooleanField()
    status = CharField(max_length=12, index=True)
    created_at = DateTimeField(default=datetime.now)
    due_date = DateField()  # created + 14 days: the handling window shown to the citizen
    decided_at = DateTimeField(null=True)
    decided_by = IntegerField(null=True)
    decision_note = TextField(null=True)

    class Meta:
        table_name = "objection"
        indexes = ((("person", "status"), False),)
