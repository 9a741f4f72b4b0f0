"""Sanggahan pages: recipients in one's own desa, the objection form, one's
own objections, and withdrawing oneself from a program."""

import logging

from flask import abort, g, redirect, request, url_for

from .. import uploads
from ..db import atomic_write
from ..forms import errors_of as _errors
from ..htmx import render, wants_fragment
from ..i18n import gettext as _
from ..identity import mask_name
from ..usulan.access import active_required
from ..usulan.services import label as proposal_label
from ..usulan.services import own_proposals
from . import bp, services, tanggapan
from .forms import ObjectionForm, WithdrawForm
from .recipients import person_from_token, program_stages_of, programs_of

log = logging.getLogger(__name__)


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


def _page_number():
    page = request.values.get("hal", "1")
    return int(page) if page.isascii() and page.isdigit() and 0 < int(page) < 10000 else 1


def _recipients_page(query_text, page, status=200, error=None):
    query = ""
    if error is None:
        try:
            query = tanggapan.clean_query(query_text)
        except tanggapan.SearchError as exc:
            error = str(exc.message)
    rows, more = ([], False) if error else tanggapan.search(g.citizen, query, page)
    return render("sanggahan/recipients.html", "content", status=422 if error else status, rows=rows,
                  page=page, more=more, q=query_text or "", searched=bool(query),
                  errors=[("q", error)] if error else None, search_error=error,
                  min_letters=tanggapan.MIN_LETTERS)


@bp.get("/penerima")
@active_required
def penerima():
    """Tanggapan Kelayakan: this quarter's recipients in the citizen's desa
    (masked names, programs and their disbursement stage), searchable by
    name inside that desa only, each with "Layak" / "Tidak layak"."""
    return _recipients_page(request.args.get("q", "")[:200], _page_number())


@bp.post("/penerima/tanggapan")
@active_required
def tanggapan_kirim():
    """One tap: this account's "Layak" / "Tidak layak" about one recipient
    for this period (changeable). htmx gets the row back; without
    JavaScript the list comes back where it was (search and page kept)."""
    person = person_from_token(g.citizen, request.form.get("penerima", ""))
    verdict = request.form.get("tanggapan", "")
    if person is None or verdict not in ("layak", "tidak_layak"):
        abort(404 if person is None else 400)
    eligible = tanggapan.respond(g.citizen, person, verdict == "layak")
    log.info("eligibility response recorded")
    if wants_fragment():
        row = tanggapan.Row(request.form["penerima"], mask_name(person.name),
                            program_stages_of([person])[person.id], eligible)
        return render("sanggahan/recipients.html", "row", r=row, q=request.form.get("q", ""),
                      page=_page_number(), saved=True)
    args = {"hal": _page_number()}
    if request.form.get("q"):
        args["q"] = request.form["q"][:200]
    return redirect(url_for("sanggahan.penerima", **args, _anchor="daftar"), 303)


def _objection_page(person, token, form, status=200, extra_errors=()):
    errors = _errors(form, extra_errors)
    photo_error = next((msg for name, msg in extra_errors if name == "foto"), None)
    place_error = next((msg for name, msg in extra_errors if name == "lokasi"), None)
    response = render("sanggahan/form.html", "content", status=status, form=form, token=token,
                      masked_name=mask_name(person.name), programs=programs_of([person])[person.id],
                      errors=errors, photo_error=photo_error, place_error=place_error,
                      photo_required=services.PHOTO_REQUIRED, photo_hints=services.PHOTO_HINTS,
                      due_days=services.handling_days(), due_date=services.due_date(),
                      lapse_date=services.lapse_date(services.due_date()))
    # This page alone may ask the phone for its location (one tap, with
    # the person's permission); every other page keeps geolocation=().
    response.headers["Permissions-Policy"] = "camera=(self), microphone=(), geolocation=(self)"
    return response


@bp.route("/baru/<token>", methods=["GET", "POST"])
@active_required
def baru(token):
    """The objection form for one recipient (named by a signed token): the
    reason, the house photo where the reason needs it, the location (from
    the phone, typed or described) and the honesty statement."""
    person = person_from_token(g.citizen, token)
    if person is None:
        # An old link (older than a day, of the earlier format, or of another
        # account) says so rather than a bare "not found".
        from ..errors import render_error

        return render_error(404, _("Tautan penerima ini sudah tidak berlaku. Buka lagi daftar penerima "
                                   "di desa Anda, lalu pilih orangnya."))
    pending = services.pending_for(g.citizen, person)
    if pending is not None:
        return redirect(url_for("sanggahan.detail", oid=pending.public_id))
    if request.method == "GET":
        return _objection_page(person, token, ObjectionForm(formdata=None))
    form = ObjectionForm()
    if not form.validate():
        return _objection_page(person, token, form, status=422)
    file = request.files.get("foto")
    has_file = file is not None and bool(file.filename)
    location = (*form.coordinates(), form.location_note.data)
    # Every check on what was typed comes before the photo is stored.
    try:
        services.check_evidence(form.reason.data, has_file, location)
    except services.DecisionError as exc:
        return _objection_page(person, token, form, status=422, extra_errors=[(exc.field, str(exc.message))])

    image = None
    if has_file:
        try:
            image = uploads.process_image(file)
        except uploads.UploadError as exc:
            return _objection_page(person, token, form, status=422, extra_errors=[("foto", str(exc.message))])
    try:
        # The photo is stored with the objection's row, in its transaction.
        with uploads.changes() as files, atomic_write(f"objection-of:{person.id}"):
            photo = files.store(image, "sanggahan") if image else None
            objection = services.create(g.citizen, person, services.SANGGAH, form.reason.data, form.note.data,
                                        honest=True, photo=photo, location=location)
            if photo and objection.photo != photo:  # an earlier pending one was returned
                files.delete(photo)
    except services.DecisionError as exc:
        return _objection_page(person, token, form, status=422, extra_errors=[(exc.field, str(exc.message))])
    log.info("objection sent reason=%s", objection.reason)
    return redirect(url_for("sanggahan.detail", oid=objection.public_id), 303)


@bp.get("/<oid>")
@active_required
def detail(oid):
    """One objection or withdrawal: its status and handling date."""
    objection = _own_or_404(oid)
    return render("sanggahan/detail.html", "content", o=objection, lapse_date=services.lapse_date,
                  masked_name=mask_name(objection.person.name), status_label=services.status_label,
                  reason_label=services.reason_label, errors=None)


@bp.get("/<oid>/foto")
@active_required
def foto(oid):
    """The evidence photo, to its sender only."""
    objection = _own_or_404(oid)
    if not objection.photo:
        abort(404)

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
