"""The Cek Bansos page: choose the region, type a name or NIK, solve the captcha."""

import json
import logging
import secrets
from datetime import UTC, datetime

from flask import current_app, make_response, redirect, render_template, request, session, url_for
from flask_babel import format_datetime, get_locale
from flask_wtf.csrf import CSRFError, generate_csrf
from markupsafe import Markup

from .. import cacheversion
from ..assets import FixedTail, gzip_with_tail
from ..captcha.media import audio_available, png_data_uri
from ..captcha.messages import captcha_kind, captcha_message
from ..captcha.services import CaptchaError, new_challenge, new_token, verify
from ..errors import stale_form_message
from ..forms import region_chosen
from ..htmx import render, retarget, wants_fragment
from ..i18n import gettext as _
from ..kiosk import is_kiosk
from ..security import lookup_limit
from ..wilayah import LEVELS, build_picker, children, kabupaten_lists
from . import bp, rows  # noqa: F401 - rows: program_row, a template global on cek.bp
from .forms import CekForm
from .services import lookup_by_name, lookup_by_nik, not_found_guidance

# The not-found texts, shared with the SMS lookup (webapp.sms.services).
bp.add_app_template_global(not_found_guidance)
log = logging.getLogger(__name__)

TEMPLATE = "cek/index.html"
PURPOSE = "cek"  # the captcha of this form answers only this form
# The first captcha image travels inside the page (one request fewer per visit).
INLINE_CAPTCHA = True


def _page(form, picker, result=None, status=200, captcha_error=None, keep_captcha=False, notice=None):
    kind = captcha_kind(request.values)
    if form.captcha.errors and form.captcha.data == "":
        form.captcha.errors = [captcha_message("missing", kind)]
    # The page a visit opens with carries its captcha image inline: one
    # request fewer per person (the refresh, the audio switch and the
    # captcha after a search still load /captcha/<token>.png).
    # With it inline, Chromium restores a choice made before Back only after
    # `load`; static/app.js looks again (tests/browser/test_edge_users_browser.py
    # ::test_back_to_the_lookup_page_fills_the_lower_levels).
    inline = INLINE_CAPTCHA and request.method == "GET" and kind == "image" and not wants_fragment()
    image = None  # a kept challenge (a form sent back) is shown by URL
    if keep_captcha and form.captcha_token.data:
        token = form.captcha_token.data
    else:
        token, answer = new_challenge(kind, PURPOSE)
        image = png_data_uri(answer) if inline else None
        form.captcha.data = ""
    errors = [(name, msgs[0]) for name, msgs in form.errors.items() if msgs]
    if captcha_error:
        errors.append(("captcha", captcha_error))
    if notice:
        errors.append(("nik" if form.by_nik else "nama", notice))
    return render(TEMPLATE, "cek", status=status, form=form, picker=picker, result=result,
                  kabupaten_lists=kabupaten_lists() if request.method == "GET" and not form.by_nik else None,
                  **_not_found_context(picker, result), errors=errors, captcha_token=token, captcha_kind=kind,
                  captcha_purpose=PURPOSE, captcha_src=image,
                  captcha_error=captcha_error, audio_available=audio_available())


# The empty page as most visits open it (no query, nobody signed in, no
# kiosk, nothing flashed) is the same for everyone but its CSRF token and its
# captcha: each worker renders it once per language with stand-ins for
# those and fills them in per request. The regions it lists drop it with the
# region caches ("regions" cache version).
_CSRF, _TOKEN, _IMAGE, _BUST = "x19csrfstandin", "x19tokenstandin", "x19imagestandin", "x19buststandin"
_empty_pages = {}
cacheversion.on_change("regions", _empty_pages.clear)


def _empty_page():
    if (request.args or wants_fragment() or is_kiosk() or set(session) - {"csrf_token"}
            or captcha_kind(request.values) != "image"):
        return None
    key = (str(get_locale()), audio_available())
    page = _empty_pages.get(key)
    if page is None:
        form = CekForm(formdata=None, mode="nama")
        html = render_template(TEMPLATE, form=form, picker=build_picker({}), result=None,
                               kabupaten_lists=kabupaten_lists(), searched_desa=None, searched_at=None,
                               errors=[], captcha_token=_TOKEN, captcha_kind="image",
                               captcha_src=_IMAGE if INLINE_CAPTCHA else None,
                               captcha_error=None, audio_available=key[1],
                               captcha_purpose=PURPOSE, csrf_token=lambda: _CSRF, kompat_bust=_BUST,
                               csrf_header=lambda: json.dumps({"X-CSRFToken": _CSRF}))
        # What follows the last stand-in (the footer's end and the kabupaten
        # lists, most of the page's bytes) is the same for every visitor: it
        # is compressed once, and each request compresses only the head.
        cut = max(html.rindex(s) + len(s) for s in (_CSRF, _TOKEN, _IMAGE, _BUST) if s in html)
        page = _empty_pages[key] = (html[:cut], FixedTail(html[cut:].encode()))
    head, tail = page
    token, answer = new_challenge("image", PURPOSE)
    head = (head.replace(_CSRF, generate_csrf()).replace(_TOKEN, token).replace(_IMAGE, png_data_uri(answer))
            .replace(_BUST, str(100000 + secrets.randbelow(900000)))).encode()
    if request.accept_encodings["gzip"]:
        response = make_response(gzip_with_tail(head, tail, current_app.config["COMPRESS_LEVEL"]))
        response.headers["Content-Encoding"] = "gzip"
    else:  # as it is (or, for a client taking br only, compressed by Flask-Compress)
        response = make_response(head + tail.text)
    response.vary.add("Accept-Encoding")
    response.vary.add("HX-Request")
    return response


@bp.get("/")
def index():
    """The empty form; a GET with region codes (the no-JavaScript "Pilih"
    button, or a bookmark) comes back with the next level filled in."""
    empty = _empty_page()
    if empty is not None:
        return empty
    form = CekForm(formdata=None, mode="nik" if request.args.get("mode") == "nik" else "nama")
    picker = build_picker(request.args)
    for level in LEVELS:
        getattr(form, level).data = picker.chosen.get(level, "")
    return _page(form, picker)


@bp.post("/")
@lookup_limit(methods=["POST"], with_captcha=True,
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
    if not form.by_nik and not region_chosen(form, picker):
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
    if wants_fragment() and request.form.get("tampil") == "bersih":
        return _answer(form, picker, result)
    return _page(form, picker, result=result)


def _answer(form, picker, result):
    """The htmx answer to a search from a form that shows no errors: the
    result and a fresh captcha (out of band), not the whole form again."""
    kind = captcha_kind(request.form)
    response = render(TEMPLATE, "jawaban", form=form, picker=picker, result=result,
                      **_not_found_context(picker, result), captcha_html=_fresh_captcha(kind), errors=[])
    return retarget(response, "#hasil, #hasil-slot")


_fresh_captchas = {}


def _fresh_captcha(kind):
    """The out-of-band captcha of a search answer: the same for everyone but
    its token, so each worker renders it once per language and kind."""
    available = audio_available()
    key = (str(get_locale()), kind, available, request.path)
    widget = _fresh_captchas.get(key)
    if widget is None:
        widget = _fresh_captchas[key] = render_template(
            "captcha/widget.html", captcha_token=_TOKEN, captcha_kind=kind, captcha_error=None,
            captcha_oob=True, audio_available=available, captcha_purpose=PURPOSE)
    return Markup(widget.replace(_TOKEN, new_token(kind, PURPOSE)))  # noqa: S704 - our template; a URL-safe token


def _not_found_context(picker, result):
    """When and where a search found nobody (the result says both)."""
    if result is None or result.found:
        return {"searched_desa": None, "searched_at": None}
    desa = dict(children(picker.chosen["kecamatan"])).get(picker.desa) if picker.desa else None
    return {"searched_desa": desa, "searched_at": format_datetime(datetime.now(UTC), "d MMMM yyyy, HH:mm")}


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
