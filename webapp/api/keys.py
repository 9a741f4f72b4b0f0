"""API keys for partner systems: issued by an officer for a region inside
their own, stored as a hash, revocable, each with its own rate limit.

A key reads `cbl_<id>_<secret>`. The id finds the row; only the SHA-256 of
the whole key is stored (the secret is 256 random bits, so a slow hash adds
nothing), compared in constant time."""

import hashlib
import hmac
import secrets
from types import SimpleNamespace

from limits import parse as parse_limit
from peewee import CharField, DateTimeField, IntegerField

from ..akun import audit, roles
from ..clock import utcnow
from ..db import BaseModel, atomic_write, register
from ..petugas import scope
from ..registry.models import Region

PREFIX = "cbl"
DEFAULT_LIMIT = "60 per minute"
# Who may issue a key: Dinas Sosial and pusat (the roles that import and
# export the registry), for a region inside their own.
ISSUER_ROLES = roles.IMPORT_ROLES


class KeyError_(Exception):
    """A refusal with a message for the person at the command line."""


@register
class ApiKey(BaseModel):
    public_id = CharField(max_length=16, unique=True)
    name = CharField(max_length=80)
    key_hash = CharField(max_length=64)
    region_code = CharField(max_length=13)
    rate_limit = CharField(max_length=40, default=DEFAULT_LIMIT)
    issued_by = IntegerField()  # Account id of the officer
    created_at = DateTimeField(default=utcnow)
    revoked_at = DateTimeField(null=True)
    last_used_at = DateTimeField(null=True)

    class Meta:
        table_name = "api_key"

    @property
    def active(self):
        return self.revoked_at is None


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def check_limit(text):
    """The limit in Flask-Limiter's words ("60 per minute"), or KeyError_."""
    try:
        parse_limit(text)
    except ValueError:
        raise KeyError_(f"Batas '{text}' tidak dikenal; tulis misalnya '60 per minute'.") from None
    return text


def issue(officer, region_code, name, rate_limit=DEFAULT_LIMIT):
    """(row, the key in clear — shown once). Audited."""
    if officer.role not in ISSUER_ROLES:
        raise KeyError_("Hanya petugas Dinas Sosial atau pusat yang dapat menerbitkan kunci API.")
    region = Region.get_or_none(Region.code == (region_code or "").strip())
    if region is None:
        raise KeyError_("Kode wilayah tidak dikenal.")
    if not scope.code_in_region(region.code, officer):
        raise KeyError_("Wilayah itu di luar wilayah kerja Anda.")
    name = " ".join((name or "").split())[:80]
    if not name:
        raise KeyError_("Beri nama kunci: sistem mitra yang memakainya.")
    check_limit(rate_limit)
    public_id = secrets.token_hex(6)
    key = f"{PREFIX}_{public_id}_{secrets.token_urlsafe(32)}"
    with atomic_write(f"api-key:{public_id}"):
        row = ApiKey.create(
            public_id=public_id,
            name=name,
            key_hash=_digest(key),
            region_code=region.code,
            rate_limit=rate_limit,
            issued_by=officer.id,
        )
        audit.record(officer, "api_key_terbit", "api_key", public_id, region=region.code, detail=rate_limit)
    return row, key


def revoke(officer, public_id):
    """Revokes a key of the officer's region; audited. Returns the row."""
    row = ApiKey.get_or_none(ApiKey.public_id == (public_id or "").strip())
    if row is None or not scope.code_in_region(row.region_code, officer):
        raise KeyError_("Kunci dengan id itu tidak ada di wilayah Anda.")
    if row.revoked_at is None:
        with atomic_write(f"api-key:{row.public_id}"):
            ApiKey.update(revoked_at=utcnow()).where(ApiKey.id == row.id).execute()
            audit.record(officer, "api_key_cabut", "api_key", row.public_id, region=row.region_code)
    return ApiKey.get_by_id(row.id)


def authenticate(presented):
    """The active key row for a presented key, or None."""
    parts = (presented or "").strip().split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1].isalnum() or len(parts[1]) > 16:
        return None
    row = ApiKey.get_or_none(ApiKey.public_id == parts[1])
    if row is None or not row.active or not hmac.compare_digest(row.key_hash, _digest(presented.strip())):
        return None
    return row


def record_use(row, action, detail=""):
    """Every use of a key is audited: which key, which region, what was asked."""
    actor = SimpleNamespace(id=None, role="mitra_api", region_scope=row.region_code)
    audit.record(actor, action, "api_key", row.public_id, region=row.region_code, detail=detail)
    ApiKey.update(last_used_at=utcnow()).where(ApiKey.id == row.id).execute()
