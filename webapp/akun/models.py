"""Accounts, one-time e-mail codes and the account's KTP photo and selfie."""

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField

from ..clock import utcnow  # noqa: F401  (re-exported: petugas still imports it from here)
from ..db import BaseModel, new_public_id, register
from ..registry.models import Region

# The life of an account. "melengkapi foto" sits between the e-mail check and
# the officer's check: the photos are uploaded one at a time, then sent.
EMAIL = "menunggu verifikasi e-mail"
# Without an e-mail address, when an SMS gateway is configured: the code goes
# to the phone. Without either the account goes straight to the photos and
# the officer's check (issue #16).
PHONE = "menunggu verifikasi nomor HP"
CODE_STATES = (EMAIL, PHONE)
PHOTOS = "melengkapi foto"
OFFICER = "menunggu verifikasi petugas"
ACTIVE = "aktif"
REJECTED = "ditolak"
STATES = (EMAIL, PHONE, PHOTOS, OFFICER, ACTIVE, REJECTED)


@register
class Account(BaseModel):
    # Used in URLs and in the session instead of the row id or the NIK; never
    # logged (32 hex digits can look like a NIK to a log scanner).
    public_id = CharField(max_length=32, unique=True, default=new_public_id)
    nik = CharField(max_length=16, unique=True)
    no_kk = CharField(max_length=16)
    name = CharField(max_length=120)
    street = CharField(max_length=200)
    rt = CharField(max_length=3)
    rw = CharField(max_length=3)
    desa = ForeignKeyField(Region, column_name="desa_code", on_delete="RESTRICT")
    phone = CharField(max_length=16)  # E.164
    # Optional (issue #16): lower-cased; NULL for an account without e-mail
    # (unique indexes allow many NULLs on SQLite and PostgreSQL).
    email = CharField(max_length=254, unique=True, null=True)
    password_hash = CharField(max_length=255)
    state = CharField(max_length=40, default=EMAIL, index=True)
    reject_reason = CharField(max_length=30, null=True)
    role = CharField(max_length=20, default="warga")
    # The region an officer works on (#5); None for citizens.
    region_scope = CharField(max_length=13, null=True)
    # Bumped at sign-out and password change: cookies carrying an older
    # version are treated as signed out.
    session_version = IntegerField(default=0)
    failed_logins = IntegerField(default=0)
    locked_until = DateTimeField(null=True)
    consent_at = DateTimeField()
    email_verified_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "account"


@register
class EmailCode(BaseModel):
    account = ForeignKeyField(Account, backref="codes", on_delete="CASCADE")
    purpose = CharField(max_length=10)  # verify / reset / petugas (officer-issued reset)
    code_hash = CharField(max_length=64)
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    attempts = IntegerField(default=0)
    used_at = DateTimeField(null=True)

    class Meta:
        table_name = "email_code"
        indexes = ((("account", "purpose", "created_at"), False),)


@register
class Notice(BaseModel):
    """What the citizen was told (approved, rejected, proposal moved), kept
    for their own pages whatever channel also carried it. Never a code."""

    account = ForeignKeyField(Account, backref="notices", on_delete="CASCADE")
    subject = CharField(max_length=200)
    body = CharField(max_length=2000)
    created_at = DateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "account_notice"


@register
class Photo(BaseModel):
    """One KTP photo and one selfie per account; a new upload replaces the old."""

    public_id = CharField(max_length=32, unique=True, default=new_public_id)
    account = ForeignKeyField(Account, backref="photos", on_delete="CASCADE")
    kind = CharField(max_length=10)  # ktp / selfie
    name = CharField(max_length=200)  # the stored upload's relative name
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "account_photo"
        indexes = ((("account", "kind"), True),)


@register
class LoginThrottle(BaseModel):
    """Failed sign-ins for identifiers without an account, so an unknown NIK
    or e-mail is throttled exactly like a known one and reveals nothing."""

    key = CharField(max_length=64, primary_key=True)  # HMAC of the identifier
    failures = IntegerField(default=0)
    locked_until = DateTimeField(null=True)

    class Meta:
        table_name = "login_throttle"


@register
class ClientThrottle(BaseModel):
    """Failed sign-ins per client address and LOGIN_RATE_LIMIT window, in the
    database so every worker and host counts the same failures (Flask-Limiter
    keeps its counters in each worker's memory unless REDIS_URL is set).
    The address is stored only as an HMAC."""

    key = CharField(max_length=80, primary_key=True)  # HMAC of the address ":" window seconds
    failures = IntegerField(default=0)
    expires_at = DateTimeField(index=True)  # end of the current window

    class Meta:
        table_name = "client_throttle"
