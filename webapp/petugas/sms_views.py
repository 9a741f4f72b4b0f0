"""Cek Bansos by SMS for officers: volume per day and the refused numbers
(as hashes: the page never shows a phone number). Pusat and Dinas Sosial
only; the numbers have no region, so the figures are the office's whole."""

from flask import current_app

from ..htmx import render
from ..sms import services
from . import scope
from .views import bp, officer_required

SMS_ROLES = scope.DINSOS + (scope.PUSAT,)


@bp.get("/sms")
@officer_required(*SMS_ROLES)
def sms_lookup():
    return render("petugas/sms.html", "content", errors=None, days=services.volume(),
                  refused=services.refused_numbers(),
                  enabled=bool(current_app.config.get("SMS_SERVICE_SECRET")),
                  limit=current_app.config["SMS_LOOKUP_LIMIT"],
                  max_niks=current_app.config["SMS_LOOKUP_MAX_NIKS"])
