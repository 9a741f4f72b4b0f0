"""The objection queue (/petugas/sanggahan): objections and withdrawals in the
region, one with what it covers and its evidence, and the decision."""


from flask import abort, g, redirect, request, url_for

from .. import clock, uploads
from ..akun import roles
from ..forms import errors_of as _errors
from ..forms import page_arg
from ..htmx import render
from ..identity import mask_nik
from ..registry.programs import quarter_of
from ..sanggahan import services as sanggahan
from ..sanggahan.models import Objection
from . import bp, objections, scope
from .access import officer_required
from .decisions import DecisionRefused
from .forms import ObjectionDecisionForm
from .pages import PER_PAGE


@bp.get("/sanggahan")
@officer_required(*roles.OBJECTION_ROLES)
def sanggahan_list():
    """Pending objections and withdrawals in the region: those about a
    recipient with more "Tidak layak" responses first, then oldest first,
    with the 14-day due date and the day the rule decides them; late ones marked."""
    status = request.args.get("status", sanggahan.PENDING)
    if status not in sanggahan.STATUS_LABELS:
        status = sanggahan.PENDING
    year, quarter = quarter_of(clock.today())
    query = scope.objection_queue(g.officer, status, year, quarter)
    page = page_arg()
    items = list(query.paginate(page, PER_PAGE))
    total = scope.objections_for(g.officer).where(Objection.status == status).count()
    return render("petugas/sanggahan_list.html", "content", items=items, total=total, page=page,
                  chosen=status, statuses=sanggahan.STATUS_LABELS, today=clock.today(),
                  reason_label=sanggahan.reason_label, lapse_date=sanggahan.lapse_date, errors=None)


def _sanggahan_page(objection, form=None, status=200, refused=None):
    form = form or ObjectionDecisionForm(formdata=None)
    errors = _errors(form) + ([("keputusan", refused)] if refused else [])
    return render("petugas/sanggahan_detail.html", "content", status=status, o=objection, form=form,
                  errors=errors or None, reason_label=sanggahan.reason_label,
                  status_label=sanggahan.status_label, pending=objection.status == sanggahan.PENDING,
                  covered=list(sanggahan.covered(objection.person, objection.program_code)),
                  nik=mask_nik(objection.person.nik), today=clock.today(),
                  lapse_date=sanggahan.lapse_date(objection.due_date)
                  if objection.kind == sanggahan.SANGGAH else None)


@bp.get("/sanggahan/<oid>")
@officer_required(*roles.OBJECTION_ROLES)
def sanggahan_detail(oid):
    """An objection or withdrawal, what it covers, and the decision form."""
    return _sanggahan_page(scope.get_or_404("sanggahan", oid, g.officer))


@bp.get("/sanggahan/<oid>/foto")
@officer_required(*roles.OBJECTION_ROLES)
def sanggahan_foto(oid):
    """The reporter's evidence photo."""
    objection = scope.get_or_404("sanggahan", oid, g.officer)
    if not objection.photo:
        abort(404)
    return uploads.send_image(objection.photo)


@bp.post("/sanggahan/<oid>/putusan")
@officer_required(*roles.OBJECTION_ROLES)
def sanggahan_putusan(oid):
    """Uphold (the enrollments end with the reason) or dismiss (the reporter is told)."""
    objection = scope.get_or_404("sanggahan", oid, g.officer)
    form = ObjectionDecisionForm()
    if not form.validate():
        return _sanggahan_page(objection, form, status=422)
    try:
        objections.decide_objection(g.officer, objection, form.keputusan.data, form.catatan.data)
    except DecisionRefused as exc:
        return _sanggahan_page(Objection.get_by_id(objection.id), status=409, refused=str(exc.message))
    return redirect(url_for("petugas.sanggahan_list", info="putusan"), 303)
