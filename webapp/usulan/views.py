"""Usulan: the list and "Cek Usulan" gate, a proposal's timeline, its
receipt, and the status check without an account."""

import logging

from flask import abort, g, redirect, request, url_for

from .. import uploads
from ..captcha.media import audio_available
from ..captcha.messages import captcha_kind, captcha_message
from ..captcha.services import CaptchaError, new_token, verify
from ..forms import errors_of
from ..htmx import render
from ..security import lookup_limit
from . import bp, services
from .access import active_required, assisting_officer, own_or_404
from .drafts import DOCUMENT_KINDS, DOCUMENT_NAMES, documents_of, next_step, originals_seen
from .forms import GateForm, StatusForm, parse_date
from .status import find_by_receipt, timeline

log = logging.getLogger(__name__)


def _index(form, status=200, gate=None):
    return render("usulan/index.html", "content", status=status, form=form, gate=gate,
                  proposals=services.own_proposals(g.citizen), errors=errors_of(form),
                  label=services.label, next_step=next_step)


@bp.get("/")
@active_required
def index():
    """Own proposals with their status, and the "Cek Usulan" form."""
    return _index(GateForm(formdata=None))


@bp.post("/")
@active_required
def check():
    """Cek Usulan: No. KK and NIK. A draft opens unless the household is
    desil 6–10 or already has an open proposal."""
    form = GateForm()
    if not form.validate():
        return _index(form, status=422)
    gate = services.start(g.citizen, form.no_kk.data, form.nik.data)
    if gate.refusal:
        log.info("usulan gate refused: %s", gate.refusal)
        return _index(form, status=409 if gate.refusal != "desil" else 200, gate=gate)
    return redirect(url_for("usulan.data_diri", pid=gate.proposal.public_id), 303)


@bp.get("/<pid>")
@active_required
def detail(pid):
    """A proposal: its status timeline, and what to do next."""
    proposal = own_or_404(pid)
    if proposal.status == services.DRAFT:
        return redirect(url_for(f"usulan.{next_step(proposal)}", pid=pid))
    return render("usulan/detail.html", "content", proposal=proposal, steps=timeline(proposal),
                  label=services.label, editable=proposal.status in services.EDITABLE, errors=None,
                  helper=assisting_officer(proposal))


@bp.get("/<pid>/tanda-terima")
@active_required
def receipt(pid):
    """The printable receipt (A4 or an 80 mm kiosk printer)."""
    proposal = own_or_404(pid)
    if proposal.receipt_no is None:
        abort(404)
    seen = originals_seen(proposal)
    return render("usulan/receipt.html", "content", proposal=proposal, errors=None,
                  label=services.label, helper=assisting_officer(proposal),
                  originals=[name for kind, name in DOCUMENT_KINDS if kind in seen])


@bp.get("/<pid>/dokumen/<kind>")
@active_required
def document(pid, kind):
    """One uploaded image, to its owner only."""
    proposal = own_or_404(pid)
    doc = documents_of(proposal).get(kind) if kind in DOCUMENT_NAMES else None
    if doc is None:
        abort(404)

    return uploads.send_image(doc.stored_name)


def _status_page(form, status=200, proposal=None, captcha_error=None, not_found=False):
    kind = captcha_kind(request.values)
    if form.captcha.errors and not form.captcha.data:
        form.captcha.errors = [captcha_message("missing", kind)]
    form.captcha.data = ""
    extra = [("captcha", captcha_error)] if captcha_error else []
    return render("usulan/status.html", "content", status=status, form=form, proposal=proposal,
                  steps=timeline(proposal) if proposal else None, not_found=not_found,
                  errors=errors_of(form, extra), captcha_token=new_token(kind, "usulan_status"),
                  captcha_kind=kind, captcha_purpose="usulan_status",
                  captcha_error=captcha_error, audio_available=audio_available(),
                  label=services.label)


@bp.get("/status")
def status():
    """Status without an account: receipt number + birth date + captcha."""
    return _status_page(StatusForm(formdata=None))


@bp.post("/status")
@lookup_limit(methods=["POST"],
              exempt_when=lambda: "captcha_baru" in request.form)
def status_check():
    form = StatusForm()
    if "captcha_baru" in request.form:
        return _status_page(form)
    if not form.validate():
        return _status_page(form, status=422)
    try:
        verify(form.captcha_token.data, form.captcha.data, "usulan_status")
    except CaptchaError as exc:
        return _status_page(form, status=422,
                     captcha_error=captcha_message(exc.reason, captcha_kind(request.form)))
    proposal = find_by_receipt(form.receipt.data, parse_date(form.birth_date.data))
    log.info("usulan status check found=%s", proposal is not None)
    # One message for any mismatch: which part was wrong is not revealed.
    return _status_page(form, status=200 if proposal else 404, proposal=proposal,
                        not_found=proposal is None)
