"""Writing the audit log: ids, codes and the client address, nothing personal."""

from flask import has_request_context, request

from ..akun.models import Account
from .models import AuditLog


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
    from .scope import ROLES

    ids = {e.actor_id for e in entries if e.actor_id}
    if not ids:
        return {}
    return dict(Account.select(Account.id, Account.email)
                .where(Account.id.in_(sorted(ids)) & Account.role.in_(list(ROLES))).tuples())
