"""Cek Bansos by SMS for officers: volume per day and the refused numbers
(as hashes: the page never shows a phone number). Pusat and Dinas Sosial
only; the numbers have no region, so the figures are the office's whole."""

from flask import current_app

from ..akun import roles
from ..htmx import render
from ..sms import services
from . import bp
from .access import officer_required


@bp.get("/sms")
@officer_required(*roles.SMS_ROLES)
def sms_lookup():
    return render("petugas/sms.html", "content", errors=None, days=services.volume(),
                  refused=services.refused_numbers(),
                  enabled=bool(current_app.config.get("SMS_SERVICE_SECRET")),
                  limit=current_app.config["SMS_LOOKUP_LIMIT"],
                  max_niks=current_app.config["SMS_LOOKUP_MAX_NIKS"])
