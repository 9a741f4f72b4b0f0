"""Sanggahan pages: recipients in one's own desa, the objection form, one's
own objections, and withdrawing oneself from a program."""

import logging

from flask import Blueprint, abort, g, redirect, request, url_for
from flask_babel import gettext as _

from ..db import atomic_write
from ..htmx import render
from ..usulan.access import active_required
from ..usulan.services import label as proposal_label
from ..usulan.services import own_proposals
from . import services
from .forms import ObjectionForm, WithdrawForm
from .recipients import person_from_token, programs_of, recipients

bp = Blueprint("sanggahan", __name__, url_prefix="/sanggahan")
log = logging.getLogger(__name__)


def _errors(form, extra=()):
    return [(name, msgs[0]) for name, msgs in form.errors.items() if msgs] + list(extra)


def _own_or_404(public_id):
    objection = services.own(g.citizen, public_id)
    if objection is None:
        abort(404)
    return objection


@bp.get("/")
@active_required
def index():
    """One's own objections, withdrawals and proposals, with their status."""
    return render("sanggahan/index.html", "content", objections=services.own_objections(g.citizen),
                  proposals=own_proposals(g.citizen), status_label=services.status_label,
                  reason_label=services.reason_label, proposal_label=proposal_label, errors=None)


@bp.get("/penerima")
@active_required
def penerima():
    """This quarter's recipients in the citizen's desa: masked names, programs."""
    page = request.args.get("hal", "1")
    page = int(page) if page.isascii() and page.isdigit() and 0 < int(page) < 10000 else 1
    rows, more = recipients(g.citizen, page)
    return render("sanggahan/recipients.html", "content", rows=rows, page=page, more=more, errors=None)


def _objection_page(person, token, form, status=200, photo_error=None):
    extra = [("foto", photo_error)] if photo_error else []
    from ..identity import mask_name

    return render("sanggahan/form.html", "content", status=status, form=form, token=token,
                  masked_name=mask_name(person.name), programs=programs_of([person])[person.id],
                  errors=_errors(form, extra), photo_error=photo_error,
                  due_days=services.HANDLING_DAYS, due_date=services.due_date())


@bp.route("/baru/<token>", methods=["GET", "POST"])
@active_required
def baru(token):
    """The objection form for one recipient (named by a signed token)."""
    person = person_from_token(g.citizen, token)
    if person is None:
        abort(404)
    pending = services.pending_for(g.citizen, person)
    if pending is not None:
        return redirect(url_for("sanggahan.detail", oid=pending.public_id))
    if request.method == "GET":
        return _objection_page(person, token, ObjectionForm(formdata=None))
    form = ObjectionForm()
    if not form.validate():
        return _objection_page(person, token, form, status=422)
    from .. import uploads

    image = None
    file = request.files.get("foto")
    if file is not None and file.filename:
        try:
            image = uploads.process_image(file)
        except uploads.UploadError as exc:
            return _objection_page(person, token, form, status=422, photo_error=str(exc.message))
    # The photo is stored with the objection's row, in its transaction.
    with uploads.changes() as files, atomic_write():
        photo = files.store(image, "sanggahan") if image else None
        objection = services.create(g.citizen, person, services.SANGGAH, form.reason.data, form.note.data,
                                    honest=True, photo=photo)
        if photo and objection.photo != photo:  # an earlier pending one was returned
            files.delete(photo)
    log.info("objection sent reason=%s", objection.reason)
    return redirect(url_for("sanggahan.detail", oid=objection.public_id), 303)


@bp.get("/<oid>")
@active_required
def detail(oid):
    """One objection or withdrawal: its status and handling date."""
    objection = _own_or_404(oid)
    from ..identity import mask_name

    return render("sanggahan/detail.html", "content", o=objection,
                  masked_name=mask_name(objection.person.name), status_label=services.status_label,
                  reason_label=services.reason_label, errors=None)


@bp.get("/<oid>/foto")
@active_required
def foto(oid):
    """The evidence photo, to its sender only."""
    objection = _own_or_404(oid)
    if not objection.photo:
        abort(404)
    from .. import uploads

    return uploads.send_image(objection.photo)


def _withdraw_page(form, options, status=200):
    return render("sanggahan/withdraw.html", "content", status=status, form=form, options=options,
                  errors=_errors(form))


@bp.route("/mundur", methods=["GET", "POST"])
@active_required
def mundur():
    """Withdraw oneself from a program one receives."""
    enrollments = services.own_enrollments(g.citizen)
    options = [(e.program_code, e.program.name) for e in enrollments]
    if request.method == "GET":
        return _withdraw_page(WithdrawForm(formdata=None), options)
    form = WithdrawForm()
    valid = form.validate()
    if valid and form.program.data not in dict(options):
        form.program.errors = [_("Pilih program yang ingin Anda hentikan.")]
        valid = False
    if not valid:
        return _withdraw_page(form, options, status=422)
    person = services.own_person(g.citizen)
    pending = services.pending_for(g.citizen, person, form.program.data)
    if pending is None:
        pending = services.create(g.citizen, person, services.MUNDUR, None, form.note.data, honest=True,
                                  program=form.program.data)
    return redirect(url_for("sanggahan.detail", oid=pending.public_id), 303)
