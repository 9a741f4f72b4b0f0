"""How long a proposal may sit at each review step before it is overdue
(STAGE_DAYS, overridable with PETUGAS_STAGE_DAYS), as a condition for the
queue and a test for one proposal."""

from datetime import timedelta

from flask import current_app

from .. import clock
from ..usulan import states
from ..usulan.models import Proposal

# Days an item may sit in a status before it is overdue; override with
# PETUGAS_STAGE_DAYS in instance/config.py.
STAGE_DAYS = {states.DIAJUKAN: 7, states.MUSYAWARAH: 30, states.VERIFIKASI: 21,
              states.PENETAPAN: 14, states.PENGESAHAN: 14}


def stage_days():
    return {**STAGE_DAYS, **(current_app.config.get("PETUGAS_STAGE_DAYS") or {})}


def overdue_since(status, now=None):
    """Items in `status` last moved before this are overdue."""
    return (now or clock.utcnow()) - timedelta(days=stage_days().get(status, 30))


def overdue_condition(now=None):
    """A condition: the proposal sits in a review stage longer than that
    stage's own deadline (any stage)."""
    condition = None
    for status in states.IN_REVIEW:
        term = (Proposal.status == status) & (Proposal.updated_at < overdue_since(status, now))
        condition = term if condition is None else condition | term
    return condition


def is_overdue(proposal, now=None):
    return proposal.status in states.IN_REVIEW and proposal.updated_at < overdue_since(proposal.status, now)
