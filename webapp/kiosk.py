"""Kiosk mode: a shared device at the village office or the Dinas Sosial.

A device is in kiosk mode when the config says so (KIOSK_MODE) or when an
officer switched it on (a signed, long-lived `kiosk` cookie). Then:

- every request records the time in the session ("seen"); a request after
  more than KIOSK_IDLE_SECONDS without one ends the session on the server
  (akun's sign_out: the account's session version is bumped, so a copy of the
  cookie is worthless too), and a stale POST is not acted on;
- the page carries the limits (body data-kiosk-idle/-warning) so static/app.js
  warns at least KIOSK_WARNING_SECONDS (≥ 20 s, WCAG 2.2.1) before the end and
  offers "Lanjutkan" (POST /kiosk/ping);
- a "Selesai" button (POST /kiosk/selesai) ends the session at once.

Outside kiosk mode a signed-in session has the same idle limit with
SESSION_IDLE_SECONDS (default 30 min; None switches it off) and a warning
SESSION_IDLE_WARNING_SECONDS before; anonymous visitors are not tracked, so
their responses carry no cookie."""

import time

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from .akun.session import KEY, current_account, login_required, sign_out

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk")

COOKIE = "kiosk"
COOKIE_MAX_AGE = 5 * 365 * 24 * 3600
SEEN = "seen"
MIN_WARNING = 20
# Requests that neither count as activity nor end a session: files, and the
# public, cacheable region options (a cookie must not ride on those).
_UNTRACKED = {"static", "vendor.static", "wilayah.options"}
# POSTs that may arrive after the limit and still do their job.
_ALLOWED_WHEN_STALE = {"kiosk.selesai", "akun.keluar"}
_FLAG = "cekbansos.kiosk"
_ENDED = "cekbansos.kiosk.ended"


def _serializer():
    return URLSafeSerializer(current_app.secret_key, salt="kiosk-device")


def is_kiosk():
    """This request comes from a kiosk: by config, or by the device cookie."""
    if current_app.config["KIOSK_MODE"]:
        return True
    if _FLAG not in request.environ:
        value, on = request.cookies.get(COOKIE), False
        if value:
            try:
                on = _serializer().loads(value) == 1
            except BadSignature:
                on = False
        request.environ[_FLAG] = on
    return request.environ[_FLAG]


def idle_limits():
    """(idle, warning) seconds for this request's session, or None."""
    config = current_app.config
    if is_kiosk():
        return config["KIOSK_IDLE_SECONDS"], config["KIOSK_WARNING_SECONDS"]
    if config.get("SESSION_IDLE_SECONDS") and KEY in session and current_account() is not None:
        return config["SESSION_IDLE_SECONDS"], config["SESSION_IDLE_WARNING_SECONDS"]
    return None


def _last_seen():
    seen = session.get(SEEN)
    if isinstance(seen, int | float):
        return seen
    signed_in = session.get(KEY)
    if isinstance(signed_in, dict) and isinstance(signed_in.get("t"), int | float):
        return signed_in["t"]  # signed in, no request since
    return None


def _check_idle():
    """Runs before every view (after the CSRF check): ends a session that was
    idle too long, then records this request as activity."""
    if request.endpoint in _UNTRACKED or request.endpoint is None:
        return None
    kiosk = is_kiosk()
    if kiosk:
        limit = current_app.config["KIOSK_IDLE_SECONDS"]
    elif KEY in session and current_app.config.get("SESSION_IDLE_SECONDS"):
        limit = current_app.config["SESSION_IDLE_SECONDS"]
    else:
        return None
    now = time.time()
    seen = _last_seen()
    if seen is not None and now - seen > limit:
        sign_out(current_account() if KEY in session else None)
        if kiosk:
            session.pop("lang", None)
        session[SEEN] = int(now)
        request.environ[_ENDED] = True
        if kiosk and request.method == "POST" and request.endpoint not in _ALLOWED_WHEN_STALE:
            # Whatever was typed belongs to the previous person: not acted on.
            return _to_start()
        return None
    session[SEEN] = int(now)
    return None


def _no_store(response):
    """On a kiosk no page may be kept by the browser: Back or Reload after
    "Selesai" asks the server again, which shows the next person nothing of
    the previous one (a resent form fails its CSRF check: the session was
    cleared, and cek answers with the empty start page)."""
    if is_kiosk() and request.endpoint not in _UNTRACKED:
        response.headers["Cache-Control"] = "no-store"
    return response


def _to_start():
    target = url_for("cek.index")
    if request.headers.get("HX-Request"):
        response = current_app.response_class(status=204)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target, 303)


def _officer():
    account = current_account()
    if account is None or account.role == "warga":
        abort(403)
    return account


@bp.get("")
@login_required
def index():
    """For officers: whether this device is a kiosk, and the switch."""
    _officer()
    return render_template("kiosk/index.html", on=is_kiosk(),
                           by_config=current_app.config["KIOSK_MODE"])


@bp.post("/aktifkan")
@login_required
def aktifkan():
    """Makes this device a kiosk. The officer is signed out at once: a public
    device must not stay in an officer's session."""
    sign_out(_officer())
    response = redirect(url_for("cek.index"), 303)
    response.set_cookie(COOKIE, _serializer().dumps(1), max_age=COOKIE_MAX_AGE, httponly=True,
                        samesite="Lax", secure=bool(current_app.config["HTTPS"]))
    return response


@bp.post("/nonaktifkan")
@login_required
def nonaktifkan():
    """Back to an ordinary device (officers only: a visitor cannot switch the
    idle limit off)."""
    _officer()
    response = redirect(url_for("kiosk.index"), 303)
    response.delete_cookie(COOKIE, httponly=True, samesite="Lax", secure=bool(current_app.config["HTTPS"]))
    return response


@bp.post("/selesai")
def selesai():
    """"Selesai": ends the session on the server and starts over with an
    empty lookup page."""
    sign_out(current_account())
    if is_kiosk():
        session.pop("lang", None)  # the next person starts in the default language
        return redirect(url_for("cek.index"), 303)
    return redirect(url_for("akun.masuk", info="keluar"), 303)


@bp.post("/ping")
def ping():
    """"Lanjutkan" and activity on the page: the before-request hook has
    already recorded this request. A session that had already run out answers
    with a redirect to the start, so the page knows."""
    if request.environ.get(_ENDED):
        return _to_start()
    return "", 204


def check_config(config):
    for idle_key, warning_key in (("KIOSK_IDLE_SECONDS", "KIOSK_WARNING_SECONDS"),
                                  ("SESSION_IDLE_SECONDS", "SESSION_IDLE_WARNING_SECONDS")):
        idle, warning = config.get(idle_key), config.get(warning_key)
        if idle is None and idle_key == "SESSION_IDLE_SECONDS":
            continue
        if not isinstance(warning, int) or warning < MIN_WARNING:
            raise RuntimeError(f"{warning_key} harus paling sedikit {MIN_WARNING} detik (WCAG 2.2.1: "
                               f"waktu untuk bereaksi sebelum sesi berakhir); tertulis {warning!r}.")
        if not isinstance(idle, int) or idle <= warning:
            raise RuntimeError(f"{idle_key} harus bilangan bulat detik yang lebih besar dari "
                               f"{warning_key} ({warning}); tertulis {idle!r}.")


def init_app(app):
    check_config(app.config)
    app.before_request(_check_idle)
    app.after_request(_no_store)
    app.jinja_env.globals.update(kiosk_mode=is_kiosk, idle_limits=idle_limits)
    app.register_blueprint(bp)
