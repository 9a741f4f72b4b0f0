"""The audit log page (/petugas/audit): decisions and sign-ins in the
officer's region, newest first, filterable by action, role and date.
Writing the log is webapp.akun.audit."""

from datetime import datetime, timedelta

from flask import current_app, g, request

from ..akun import audit, roles
from ..forms import page_arg
from ..htmx import render
from . import bp, scope
from .access import officer_required
from .models import AuditLog

AUDIT_PER_PAGE = 50


@bp.get("/audit")
@officer_required(*roles.AUDIT_ROLES)
def audit_log():
    """Decisions and sign-ins in the officer's region, newest first,
    filterable by action, actor role and date."""
    query = scope.audit_for(g.officer)
    action = request.args.get("aksi", "")[:30]
    role = request.args.get("peran", "")[:20]
    day = request.args.get("tanggal", "")[:10]
    if action:
        query = query.where(AuditLog.action == action)
    if role:
        query = query.where(AuditLog.actor_role == role)
    if day:
        try:
            first = datetime.fromisoformat(day)
        except ValueError:
            day = ""
        else:
            query = query.where((AuditLog.at >= first) & (AuditLog.at < first + timedelta(days=1)))
    page = page_arg()
    items = list(query.order_by(AuditLog.at.desc(), AuditLog.id.desc()).paginate(page, AUDIT_PER_PAGE))
    actions = [a for (a,) in AuditLog.select(AuditLog.action).distinct().order_by(AuditLog.action).tuples()]
    return render("petugas/audit.html", "content", items=items, page=page, action=action, role=role,
                  day=day, actions=actions, roles=roles.ROLE_LABELS, errors=None,
                  actors=audit.actor_names(items),
                  has_next=len(items) == AUDIT_PER_PAGE, max_bytes=current_app.config["MAX_CONTENT_LENGTH"])
