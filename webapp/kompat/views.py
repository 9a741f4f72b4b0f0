"""The contract's routes. Each one hands its fields to the same services our
own pages use (CekForm's rules, the region picker, the captcha, the lookup,
the rate limit); only the names of the fields and the shape of the answers
are the real site's."""

import logging

from flask import (
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import validate_csrf
from markupsafe import Markup
from wtforms import ValidationError

from ..captcha import media
from ..captcha.messages import captcha_message
from ..captcha.services import CaptchaError, answer_for, new_token, read_token, verify
from ..cek.forms import CekForm
from ..cek.services import lookup_by_name, lookup_by_nik
from ..forms import check_fields
from ..i18n import gettext as _
from ..security import csrf, limiter, lookup_limit
from ..wilayah import LEVELS, build_picker, option_markup, picker_for
from . import bp, hasil

log = logging.getLogger(__name__)

# The contract names its own token fields (_token, X-CSRF-TOKEN) and answers
# a stale one with 419: checked in _check_token below, not by CSRFProtect.
csrf.exempt(bp)

CAPTCHA_KEY = "kompat_captcha"
RESULT_KEY = "kompat_hasil"
FLASH = "kompat"
# The real site's placeholders, verbatim: clients skip the option by its text.
PLACEHOLDERS = {
    "provinsi": "=== Pilih Provinsi ===",
    "kabupaten": "=== Pilih Kab/kota ===",
    "kecamatan": "=== Pilih Kecamatan ===",
    "desa": "=== Pilih Desa ===",
}
# The parameter naming each level's code, as the real site's clients send it.
PARAMS = {"provinsi": "kdprop", "kabupaten": "kdkab", "kecamatan": "kdkec"}


def _wants_json():
    return request.endpoint == "kompat.cek_v2" or request.headers.get("X-Requested-With") == "XMLHttpRequest"


@bp.before_request
def _check_token():
    """Every POST carries the page's token (form field _token or header
    X-CSRF-TOKEN); a missing or stale one is 419, as on the real site."""
    if request.method != "POST" or not current_app.config.get("WTF_CSRF_ENABLED", True):
        return None
    token = request.form.get("_token") or request.headers.get("X-CSRF-TOKEN") or ""
    try:
        validate_csrf(token)
    except ValidationError:
        message = _("Halaman sudah kedaluwarsa. Muat ulang halaman lalu coba lagi.")
        if _wants_json():
            return jsonify(status=False, message=message, data=[]), 419
        return render_template(
            "errors/error.html", code=419, title=_("Halaman kedaluwarsa"), text=message
        ), 419
    return None


@bp.errorhandler(429)
def _too_many(_exc):
    message = _("Anda mencari terlalu sering. Tunggu beberapa menit lalu coba lagi.")
    if _wants_json():
        return jsonify(status=False, message=message, data=[]), 429
    return render_template(
        "errors/error.html", code=429, title=_("Terlalu banyak permintaan"), text=message
    ), 429


def _options(level, parent):
    """The placeholder (empty value) and the children of `parent` as
    <option>s; an unknown parent gives the placeholder alone."""
    body = Markup('<option value="">{}</option>').format(PLACEHOLDERS[level])
    if level == "provinsi" or parent:
        body += option_markup(parent)
    response = make_response(str(body))
    response.mimetype = "text/html"
    return response


def _chosen_parent(level):
    """The code of the level above `level` from kdprop/kdkab/kdkec, kept only
    when each code is a child of the one before (the picker's own check)."""
    above = LEVELS[: LEVELS.index(level)]
    picker = build_picker({name: request.form.get(PARAMS[name], "")[:20] for name in above})
    return picker.chosen.get(above[-1]) if len(picker.chosen) == len(above) else None


@bp.post("/provinsi")
def provinsi():
    """<option>s of every province."""
    return _options("provinsi", None)


@bp.post("/kabupaten")
def kabupaten():
    """<option>s of the kabupaten/kota of `kdprop`."""
    return _options("kabupaten", _chosen_parent("kabupaten"))


@bp.post("/kecamatan")
def kecamatan():
    """<option>s of the kecamatan of `kdkab` (in `kdprop`)."""
    return _options("kecamatan", _chosen_parent("kecamatan"))


@bp.post("/desa")
def desa():
    """<option>s of the desa/kelurahan of `kdkec` (in `kdprop`, `kdkab`)."""
    return _options("desa", _chosen_parent("desa"))


@bp.get("/captcha/flat")
@limiter.limit("60 per minute")
def captcha_flat():
    """A new captcha image on every request (any query string), bound to the
    session: the signed session cookie carries the signed challenge, so any
    worker checks the answer."""
    token = new_token("image", "kompat")
    session[CAPTCHA_KEY] = token
    nonce, kind = read_token(token)
    response = make_response(media.png(answer_for(nonce, kind)))
    response.mimetype = "image/png"
    response.headers["Cache-Control"] = "no-store"
    return response


def _captcha_problem():
    """None when the reply answers the session's captcha; else the message.
    The challenge is used up either way."""
    token = session.pop(CAPTCHA_KEY, None)
    try:
        verify(token, request.form.get("captcha", "")[:20], "kompat")
    except CaptchaError as exc:
        return captcha_message(exc.reason, "kompat")
    return None


def _form(**fields):
    """Our lookup form's own rules over the contract's fields (the captcha
    was checked already)."""
    return check_fields(CekForm, captcha="-", **fields)


@bp.post("/cekbansos_nik")
@lookup_limit()
def cek_nik():
    """NIK lookup: 302 to /hasil-nik, or back to / with the reason shown there."""
    problem = _captcha_problem()
    form = None
    if not problem:
        form, problem = _form(mode="nik", nik=request.form.get("nik_input", "")[:40])
    if problem:
        flash(problem, FLASH)
        return redirect(url_for("cek.index"), 302)
    result = lookup_by_nik(form.nik.data)
    log.info("kompat lookup mode=nik found=%d", len(result.people))
    session[RESULT_KEY] = {"badge": hasil.badge(), "rows": [hasil.cells(p) for p in result.people]}
    return redirect(url_for("kompat.hasil_nik"), 302)


@bp.get("/hasil-nik")
def hasil_nik():
    """The last NIK lookup of this session, once: a table of 11 cells per
    person, or the not-found alert."""
    found = session.pop(RESULT_KEY, None)
    if not isinstance(found, dict):
        return redirect(url_for("cek.index"), 302)
    return render_template(
        "kompat/hasil.html", badge=found.get("badge", ""), rows=found.get("rows", []), errors=None
    )


@bp.post("/cekbansos_v2")
@lookup_limit()
def cek_v2():
    """Name lookup inside a desa, answered as JSON."""
    problem = _captcha_problem()
    desa_code = request.form.get("wilayah_input", "").strip()[:20]
    if not problem and not picker_for(desa_code).complete:
        problem = _("Pilih desa/kelurahan dari daftar.")
    form = None
    if not problem:
        form, problem = _form(mode="nama", nama=request.form.get("nama_input", "")[:200])
    if problem:
        return jsonify(status=False, message=problem, data=[])
    result = lookup_by_name(desa_code, form.nama.data)
    log.info("kompat lookup mode=nama found=%d", len(result.people))
    regions = hasil.region_names(desa_code)
    message = _("Data ditemukan") if result.found else _("Tidak Terdapat Peserta/PM")
    return jsonify(status=True, message=message, data=[hasil.v2_item(p, regions) for p in result.people])
