"""The officer area (/petugas): the sign-in gate, the dashboard, and the
blueprint the other officer views join."""

from datetime import datetime, timedelta
from functools import wraps

from flask import Blueprint, abort, current_app, g, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from peewee import fn

from ..akun.models import utcnow
from ..akun.session import current_account
from ..htmx import render
from ..usulan import services as usulan
from ..usulan.models import Proposal
from . import officers, scope
from .models import AuditLog, OfficerProfile

bp = Blueprint("petugas", __name__, url_prefix="/petugas")

VERIFIED = "petugas_2fa"  # the session holds the officer's public id once the TOTP step passed
PER_PAGE = 20
# Days an item may sit in a status before it is overdue; override with
# PETUGAS_STAGE_DAYS in instance/config.py.
STAGE_DAYS = {usulan.DIAJUKAN: 7, usulan.MUSYAWARAH: 30, usulan.VERIFIKASI: 21,
              usulan.PENETAPAN: 14, usulan.PENGESAHAN: 14}
DECISION_LABELS = {usulan.FORWARD: _l("Disetujui/diteruskan"), usulan.REJECT: _l("Ditolak"),
                   usulan.RETURN: _l("Perlu perbaikan")}


def current_officer():
    """The signed-in officer who passed the second factor, or None."""
    account = current_account()
    if not scope.is_officer(account) or session.get(VERIFIED) != account.public_id:
        return None
    profile = OfficerProfile.get_or_none(OfficerProfile.account == account.id)
    return account if profile is not None and profile.active else None


def officer_required(*roles):
    """Officers only (any role, or one of `roles`). Signed out → sign in;
    a citizen or an officer without the second factor → 403."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if current_account() is None:
                return redirect(url_for("akun.masuk", next=request.full_path.rstrip("?")))
            officer = current_officer()
            if officer is None or (roles and officer.role not in roles):
                abort(403)
            g.officer = officer
            return view(*args, **kwargs)

        return wrapped

    return decorate


def stage_days():
    return {**STAGE_DAYS, **(current_app.config.get("PETUGAS_STAGE_DAYS") or {})}


def overdue_since(status, now=None):
    """Items in `status` last moved before this are overdue."""
    return (now or datetime.now()) - timedelta(days=stage_days().get(status, 30))


def overdue_condition(now=None):
    """A condition: the proposal sits in a review stage longer than that
    stage's own deadline (any stage)."""
    condition = None
    for status in usulan.IN_REVIEW:
        term = (Proposal.status == status) & (Proposal.updated_at < overdue_since(status, now))
        condition = term if condition is None else condition | term
    return condition


def is_overdue(proposal, now=None):
    return proposal.status in usulan.IN_REVIEW and proposal.updated_at < overdue_since(proposal.status, now)


def decisions_this_month(officer, now=None):
    """{decision: count} of proposal decisions in the officer's region since
    the first of this month. AuditLog.at is UTC, so the month starts at
    00:00 UTC too (`now` is UTC; one clock on both sides)."""
    first = (now or utcnow()).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    decided = (scope.audit_for(officer)
               .select(AuditLog.detail, fn.COUNT(AuditLog.id))
               .where((AuditLog.action == "putusan_usulan") & (AuditLog.at >= first))
               .group_by(AuditLog.detail).tuples())
    per_decision = dict.fromkeys(usulan.DECISIONS, 0)
    for detail, count in decided:
        decision = detail.rpartition(":")[2]
        if decision in per_decision:
            per_decision[decision] += count
    return per_decision


def _bars(rows):
    """(label, value) → rows with a bar width in SVG units (0–250 of the
    chart's 360: room for the count after the longest bar)."""
    top = max([v for _label, v in rows] or [0]) or 1
    return [(label, value, round(250 * value / top)) for label, value in rows]


@bp.get("/")
@officer_required()
def index():
    """Dashboard for the officer's region: items by stage, overdue items,
    decisions this month (inline SVG bars, no script)."""
    officer = g.officer
    base = scope.proposals_for(officer)
    by_stage = dict(base.select(Proposal.status, fn.COUNT(Proposal.id)).group_by(Proposal.status).tuples())
    stages = [(usulan.label(s), by_stage.get(s, 0)) for s in usulan.IN_REVIEW]
    overdue = [(usulan.label(s), base.where((Proposal.status == s)
                                            & (Proposal.updated_at < overdue_since(s))).count())
               for s in usulan.IN_REVIEW]
    decisions = [(DECISION_LABELS[d], n) for d, n in decisions_this_month(officer).items()]
    return render("petugas/index.html", "content", officer=officer, errors=None,
                  role_label=scope.ROLE_LABELS[officer.role],
                  charts=[("stages", _l("Usulan per tahap"), _bars(stages)),
                          ("overdue", _l("Melewati tenggat"), _bars(overdue)),
                          ("decisions", _l("Putusan bulan ini"), _bars(decisions))],
                  may=_may(officer))


def _may(officer):
    role = officer.role
    return {"accounts": scope.may_verify_accounts(officer), "objections": role in scope.OBJECTION_ROLES,
            "import": role in scope.IMPORT_ROLES, "audit": role in scope.AUDIT_ROLES,
            "musyawarah": role == scope.OPERATOR, "tanggapan": role in scope.TANGGAPAN_ROLES,
            "officers": officers.may_manage(officer), "sms": role in scope.DINSOS + (scope.PUSAT,)}


@bp.app_template_global()
def petugas_may():
    """What the officer's menu shows (a global, so imported macros see it)."""
    return _may(g.officer) if g.get("officer") else {}




@bp.app_template_global()
def petugas_page_url(number):
    """The current list with another page number, filters kept."""
    args = request.args.to_dict()
    args["hal"] = number
    return url_for(request.endpoint, **(request.view_args or {}), **args)


from . import assisted_views, auth, data, officer_views, others, proposals, tanggapan_views  # noqa: E402,F401
