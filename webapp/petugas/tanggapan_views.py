"""Tanggapan Kelayakan for officers: the recipients of the region that
citizens marked "Layak" / "Tidak layak" this period, most "Tidak layak" first."""


from flask import g, request

from .. import clock
from ..akun import roles
from ..htmx import render
from ..identity import mask_nik
from ..registry.programs import period_label, quarter_of
from . import bp, scope
from .access import officer_required
from .pages import PER_PAGE


@bp.get("/tanggapan")
@officer_required(*roles.TANGGAPAN_ROLES)
def tanggapan():
    """The counts per recipient for the officers of that desa and Dinas Sosial."""
    value = request.args.get("hal", "")
    page = int(value) if value.isdigit() and 0 < len(value) < 7 else 1
    year, quarter = quarter_of(clock.today())
    rows = list(scope.eligibility_for(g.officer, year, quarter).paginate(page, PER_PAGE + 1))
    return render("petugas/tanggapan.html", "content", rows=rows[:PER_PAGE], more=len(rows) > PER_PAGE,
                  page=page, period=period_label(year, quarter), mask_nik=mask_nik, errors=None)
