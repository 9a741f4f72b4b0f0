"""One row per SMS that reached the lookup: the sender only as an HMAC, the
NIK asked for only as an HMAC (to spot a number walking through NIKs), and
the outcome. Nothing here names a person."""

from peewee import CharField, DateTimeField

from ..clock import utcnow
from ..db import BaseModel, register


@register
class SmsLookup(BaseModel):
    number_key = CharField(max_length=64, index=True)
    nik_key = CharField(max_length=64, default="")
    at = DateTimeField(default=utcnow, index=True)
    outcome = CharField(max_length=20)

    class Meta:
        table_name = "sms_lookup"
