from peewee import CharField, DateTimeField

from ..db import BaseModel, register


@register
class UsedNonce(BaseModel):
    """A captcha nonce that has been answered (right or wrong) and may not be
    answered again before its token expires."""

    nonce = CharField(primary_key=True, max_length=32)
    expires_at = DateTimeField(index=True)

    class Meta:
        table_name = "used_nonce"
