"""Short, translated error pages: no stack trace, no personal data."""

import logging
import traceback

from flask import current_app, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from lokal import Samaran
from werkzeug.exceptions import HTTPException, InternalServerError

from .i18n import gettext as _

log = logging.getLogger(__name__)


class Refused(Exception):
    """A rule said no. `message` (often lazy: evaluated where it is shown)
    tells the person why; `field` names the form field it belongs to (None:
    the whole form). Every feature's refusal derives from it."""

    field = None

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field


def _messages():
    return {
        400: (_("Permintaan tidak dapat diproses"),
              _("Formulir sudah kedaluwarsa atau tidak lengkap. Muat ulang halaman lalu coba lagi.")),
        403: (_("Akses ditolak"), _("Anda tidak berhak membuka halaman ini.")),
        404: (_("Halaman tidak ditemukan"),
              _("Alamat yang Anda buka tidak ada. Periksa kembali alamatnya atau kembali ke beranda.")),
        405: (_("Cara membuka halaman tidak didukung"),
              _("Buka halaman ini dari tautan atau tombol di situs.")),
        413: (_("Berkas terlalu besar"),
              _("Berkas yang Anda kirim melebihi batas ukuran. Perkecil foto lalu kirim lagi.")),
        429: (_("Terlalu banyak permintaan"),
              _("Anda mencoba terlalu sering. Tunggu beberapa menit lalu coba lagi.")),
        500: (_("Terjadi gangguan"),
              _("Maaf, ada kesalahan di server kami. Coba lagi beberapa saat lagi.")),
    }


def cookies_refused() -> bool:
    """A form came back without the session cookie every form page sets: the
    browser does not keep cookies (or they were cleared meanwhile)."""
    return current_app.config["SESSION_COOKIE_NAME"] not in request.cookies


def stale_form_message():
    """Why a form was refused by the CSRF check, in words a person can act on:
    cookies off, or a page open too long."""
    if cookies_refused():
        return _("Browser Anda tidak mengirim cookie, padahal formulir ini memerlukannya. "
                 "Aktifkan cookie untuk situs ini (atau keluar dari mode yang memblokirnya), "
                 "lalu kirim lagi.")
    return _("Halaman ini sudah terlalu lama terbuka. Periksa isian Anda lalu kirim lagi.")


def _too_many_parts():
    """A 413 for a request within the size limit: werkzeug refused it for
    having too many form parts (max_form_parts), not for its size."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    return bool(limit) and request.content_length is not None and request.content_length <= limit


def render_error(code, text=None):
    title, default = _messages().get(code, (_("Terjadi kesalahan"), ""))
    text = text or default
    if code == 413 and _too_many_parts():
        title = _("Formulir terlalu banyak bagian")
        text = _("Formulir yang dikirim berisi terlalu banyak kolom atau berkas sekaligus. "
                 "Kirim dari halaman di situs ini, satu foto setiap kali.")
    return render_template("errors/error.html", code=code, title=title, text=text), code


def _for_htmx(response):
    """An error page asked for by htmx replaces the page's <main> rather than
    landing inside whatever element the request targeted."""
    if request.headers.get("HX-Request"):
        response.headers["HX-Retarget"] = "#main"
        response.headers["HX-Reswap"] = "outerHTML"
        response.headers["HX-Reselect"] = "#main"
    return response


def init_app(app):
    @app.errorhandler(HTTPException)
    def http_error(exc):
        code = exc.code or 500
        response = exc.get_response()
        body, status = render_error(code, stale_form_message() if isinstance(exc, CSRFError) else None)
        response.set_data(body)
        response.status_code = status
        response.content_type = "text/html; charset=utf-8"
        return _for_htmx(response)

    @app.errorhandler(Exception)
    def unexpected(exc):
        if isinstance(exc, HTTPException):
            return http_error(exc)
        # Exception texts can carry values (PostgreSQL puts the duplicate key
        # in the message): mask personal data before it reaches the log.
        trace = "".join(traceback.format_exception(exc))
        log.error("Unhandled error on %s %s\n%s", request.method, request.path,
                  Samaran(mode="partial").mask(trace).text)
        body, status = render_error(InternalServerError.code)
        return _for_htmx(make_response(body, status))
