"""The Cek Bansos page: choose the region, type a name or NIK, solve the captcha."""

import logging
from datetime import UTC, datetime

from flask import Blueprint, redirect, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from ..captcha.media import audio_available
from ..captcha.messages import captcha_kind, captcha_message
from ..captcha.services import CaptchaError, new_token, verify
from ..errors import stale_form_message
from ..htmx import render
from ..kiosk import is_kiosk
from ..security import lookup_limit
from ..wilayah import LEVELS, build_picker, children
from .forms import CekForm
from .services import lookup_by_name, lookup_by_nik

bp = Blueprint("cek", __name__)
log = logging.getLogger(__name__)

TEMPLATE = "cek/index.html"
PURPOSE = "cek"  # the captcha of this form answers only this form

def _page(form, picker, result=None, status=200, captcha_error=None, keep_captcha=False, notice=None):
    kind = captcha_kind(request.values)
    if form.captcha.errors and form.captcha.data == "":
        form.captcha.errors = [captcha_message("missing", kind)]
    if keep_captcha and form.captcha_token.data:
        token = form.captcha_token.data
    else:
        token = new_token(kind, PURPOSE)
        form.captcha.data = ""
    errors = [(name, msgs[0]) for name, msgs in form.errors.items() if msgs]
    if captcha_error:
        errors.append(("captcha", captcha_error))
    if notice:
        errors.append(("nik" if form.by_nik else "nama", notice))
    searched_desa = searched_at = None
    if result is not None and not result.found:
        searched_at = format_datetime(datetime.now(UTC), "d MMMM yyyy, HH:mm")
        if picker.desa:
            searched_desa = dict(children(picker.chosen["kecamatan"])).get(picker.desa)
    return render(TEMPLATE, "cek", status=status, form=form, picker=picker, result=result,
                  searched_desa=searched_desa, searched_at=searched_at,
                  errors=errors, captcha_token=token, captcha_kind=kind, captcha_purpose=PURPOSE,
                  captcha_error=captcha_error, audio_available=audio_available())


@bp.get("/")
def index():
    """The empty form; a GET with region codes (the no-JavaScript "Pilih"
    button, or a bookmark) comes back with the next level filled in."""
    form = CekForm(formdata=None, mode="nik" if request.args.get("mode") == "nik" else "nama")
    picker = build_picker(request.args)
    for level in LEVELS:
        getattr(form, level).data = picker.chosen.get(level, "")
    return _page(form, picker)


@bp.post("/")
@lookup_limit(methods=["POST"],
              exempt_when=lambda: "pilih" in request.form or "captcha_baru" in request.form)
def search():
    """Runs the lookup. Buttons that only change the form (choosing the next
    region level without JavaScript, a new captcha) re-render it keeping
    everything typed."""
    form = CekForm()
    picker = build_picker(request.form)
    if "pilih" in request.form or "captcha_baru" in request.form:
        return _page(form, picker, keep_captcha="pilih" in request.form)
    valid = form.validate()
    if not form.by_nik and not picker.complete:
        missing = next(level for level in LEVELS if level not in picker.chosen)
        getattr(form, missing).errors = [_("Pilih %(level)s.", level=str(getattr(form, missing).label.text))]
        valid = False
    if not valid:
        return _page(form, picker, status=422, keep_captcha=True)
    try:
        verify(form.captcha_token.data, form.captcha.data, PURPOSE)
    except CaptchaError as exc:
        return _page(form, picker, status=422,
                     captcha_error=captcha_message(exc.reason, captcha_kind(request.form)))
    result = lookup_by_nik(form.nik.data) if form.by_nik else lookup_by_name(picker.desa, form.nama.data)
    log.info("lookup mode=%s found=%d", form.mode.data, len(result.people))
    return _page(form, picker, result=result)


@bp.errorhandler(CSRFError)
def stale_form(_exc):
    """A form left open too long (or sent without its token) is shown again
    with what was typed, and nothing is looked up. On a kiosk nothing typed is
    shown again: the form belongs to a person who has finished (Back or
    Reload after "Selesai"), so the next person gets the empty start page."""
    if is_kiosk():
        return redirect(url_for("cek.index"), 303)
    form = CekForm(meta={"csrf": False})
    picker = build_picker(request.form)
    return _page(form, picker, status=400, captcha_error=None, notice=stale_form_message())


@bp.errorhandler(429)
def too_many(_exc):
    """Rate-limited: say so above the form and keep what was typed."""
    form = CekForm(meta={"csrf": False})
    return _page(form, build_picker(request.form), status=429, keep_captcha=True,
                 notice=_("Anda mencari terlalu sering. Tunggu beberapa menit lalu coba lagi."))
