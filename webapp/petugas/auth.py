"""The second sign-in step for officers: after the password (webapp.akun),
a TOTP code. Until then the session holds only a pending marker (public id,
session version, time), never the secret, and nobody is signed in."""

import time

from flask import current_app, redirect, session, url_for

from ..akun import audit, roles
from ..akun import services as akun_services
from ..akun.models import Account
from ..akun.session import safe_next, sign_in
from ..htmx import render
from ..i18n import gettext as _
from ..security import limiter
from . import bp, officers, totp
from .access import VERIFIED
from .forms import TotpForm

PENDING = "petugas_pending"
PENDING_SECONDS = 300


def start_second_factor(account, next_url):
    """Called by webapp.akun once the password is right. For an officer:
    no session yet, the code step instead. For anyone else: None."""
    if not roles.is_officer(account):
        return None
    session.clear()
    session[PENDING] = {"id": account.public_id, "v": account.session_version, "t": int(time.time()),
                        "next": next_url or ""}
    audit.record(account, "masuk_sandi", "akun", account.public_id)
    return redirect(url_for("petugas.kode"), 303)


def record_failed_password(identifier, result):
    """Called by webapp.akun after a wrong password (or a locked identifier).
    Only an officer's account is audited, under its own id and public id;
    a citizen's or an unknown identifier is not, and the identifier itself
    (e-mail or NIK) never goes into the log."""
    account = akun_services.find_account(identifier)
    if not roles.is_officer(account):
        return
    audit.record(account, "masuk_gagal", "akun", account.public_id,
                 detail="sandi:terkunci" if result.locked_until else "sandi")


def _pending_account():
    data = session.get(PENDING)
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        return None
    if not 0 <= time.time() - float(data.get("t") or 0) <= PENDING_SECONDS:
        session.pop(PENDING, None)
        return None
    account = Account.get_or_none(Account.public_id == data["id"])
    if account is None or account.session_version != data.get("v") or not roles.is_officer(account):
        return None
    return account


def _page(form, status=200):
    errors = [("kode", form.kode.errors[0])] if form.kode.errors else None
    return render("petugas/kode.html", "content", status=status, form=form, errors=errors)


@bp.get("/masuk/kode")
def kode():
    """Asks for the code from the authenticator app."""
    if _pending_account() is None:
        return redirect(url_for("akun.masuk"))
    return _page(TotpForm(formdata=None))


@bp.post("/masuk/kode")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def kode_kirim():
    """A right, unused code completes the sign-in; the session starts fresh."""
    account = _pending_account()
    if account is None:
        return redirect(url_for("akun.masuk"))
    form = TotpForm()
    if not form.validate():
        return _page(form, status=422)
    outcome = None
    if officers.looks_like_recovery_code(form.kode.data) and officers.may_try(account):
        # A lost phone: one of the single-use recovery codes stands in for TOTP.
        outcome = "ok" if officers.use_recovery_code(account, form.kode.data) else None
    if outcome is None:
        outcome = totp.verify(account, form.kode.data)
    if outcome != "ok":
        audit.record(account, "masuk_gagal", "akun", account.public_id, detail=f"totp:{outcome}")
        form.kode.errors = [{
            "used": _("Kode ini sudah dipakai. Tunggu kode berikutnya di aplikasi."),
            "locked": _("Terlalu banyak percobaan yang salah. Coba lagi 15 menit lagi."),
            "inactive": _("Akun petugas ini tidak aktif. Hubungi admin."),
        }.get(outcome, _("Kode salah. Periksa jam di ponsel Anda dan ketik kode yang sedang tampil."))]
        form.kode.data = ""
        return _page(form, status=422)
    next_url = safe_next(session.get(PENDING, {}).get("next"))
    sign_in(account)
    session[VERIFIED] = account.public_id
    audit.record(account, "masuk", "akun", account.public_id)
    return redirect(next_url or url_for("petugas.index"), 303)


def install(app):
    """Hooks the code step, and the audit of failed passwords, into
    webapp.akun's password sign-in."""
    app.extensions["akun.second_factor"] = start_second_factor
    app.extensions["akun.failed_sign_in"] = record_failed_password
