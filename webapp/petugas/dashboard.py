"""The officer's dashboard (/petugas/): items by stage, overdue items and
this month's decisions in the officer's region, as inline SVG bars."""

from flask import g
from flask_babel import lazy_gettext as _l
from peewee import fn

from ..akun import roles
from ..akun.models import utcnow
from ..htmx import render
from ..usulan import states
from ..usulan.models import Proposal
from . import bp, scope
from .access import menu, officer_required
from .deadlines import overdue_since
from .models import AuditLog

DECISION_LABELS = {states.FORWARD: _l("Disetujui/diteruskan"), states.REJECT: _l("Ditolak"),
                   states.RETURN: _l("Perlu perbaikan")}


def decisions_this_month(officer, now=None):
    """{decision: count} of proposal decisions in the officer's region since
    the first of this month. AuditLog.at is UTC, so the month starts at
    00:00 UTC too (`now` is UTC; one clock on both sides)."""
    first = (now or utcnow()).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    decided = (scope.audit_for(officer)
               .select(AuditLog.detail, fn.COUNT(AuditLog.id))
               .where((AuditLog.action == "putusan_usulan") & (AuditLog.at >= first))
               .group_by(AuditLog.detail).tuples())
    per_decision = dict.fromkeys(states.DECISIONS, 0)
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
    stages = [(states.label(s), by_stage.get(s, 0)) for s in states.IN_REVIEW]
    overdue = [(states.label(s), base.where((Proposal.status == s)
                                            & (Proposal.updated_at < overdue_since(s))).count())
               for s in states.IN_REVIEW]
    decisions = [(DECISION_LABELS[d], n) for d, n in decisions_this_month(officer).items()]
    return render("petugas/index.html", "content", officer=officer, errors=None,
                  role_label=roles.ROLE_LABELS[officer.role],
                  charts=[("stages", _l("Usulan per tahap"), _bars(stages)),
                          ("overdue", _l("Melewati tenggat"), _bars(overdue)),
                          ("decisions", _l("Putusan bulan ini"), _bars(decisions))],
                  may=menu(officer))
