"""The audit log: who did what, when and from where, as ids, codes and the
client address, nothing personal. Officers' decisions, sign-ins and denied
attempts are written here, and so are the account changes an officer makes
(webapp.akun.services); next to Account so every side writes it without
reaching into the back office (webapp.petugas reads it, scoped to a region)."""

from flask import has_request_context, request
from peewee import CharField, DateTimeField, IntegerField

from ..db import BaseModel, register
from .models import Account, utcnow
from .roles import ROLES


@register
class AuditLog(BaseModel):
    """Who did what, when and from where. Only ids and codes: never a NIK or a
    name, so the log itself is no personal-data store."""

    at = DateTimeField(default=utcnow, index=True)
    actor_id = IntegerField(null=True)  # Account.id
    actor_role = CharField(max_length=20)
    action = CharField(max_length=30, index=True)
    object_type = CharField(max_length=20, default="")
    object_id = CharField(max_length=64, default="")  # a public id, never a NIK
    region_code = CharField(max_length=13, default="", index=True)
    detail = CharField(max_length=60, default="")  # a code: decision, reason, outcome
    ip = CharField(max_length=45, default="")

    class Meta:
        table_name = "audit_log"


def record(actor, action, object_type="", object_id="", region="", detail=""):
    """One audit row. `actor` is an Account (or None for the system)."""
    ip = (request.remote_addr or "") if has_request_context() else "cli"
    if not region and actor is not None:
        region = actor.region_scope or ""
    return AuditLog.create(actor_id=getattr(actor, "id", None),
                           actor_role=getattr(actor, "role", None) or "sistem",
                           action=action, object_type=object_type, object_id=str(object_id)[:64],
                           region_code=region or "", detail=str(detail)[:60], ip=ip[:45])


def actor_names(entries):
    """Account id → the e-mail of each officer who acted in `entries`, for
    the "who" column. Only officer accounts: a citizen's data never shows."""
    ids = {e.actor_id for e in entries if e.actor_id}
    if not ids:
        return {}
    return dict(Account.select(Account.id, Account.email)
                .where(Account.id.in_(sorted(ids)) & Account.role.in_(list(ROLES))).tuples())
