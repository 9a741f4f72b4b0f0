"""Sign in, sign out and a new password by e-mail code."""

import contextlib
from datetime import UTC

from flask import abort, current_app, redirect, request, url_for
from flask_babel import format_time

from ..forms import errors_of
from ..htmx import render
from ..i18n import gettext as _
from ..security import limiter
from ..tasks import queue_reachable
from . import bp, codes, services
from .forms import LoginForm, OfficerCodeForm, ResetForm, ResetRequestForm
from .session import current_account, safe_next, sign_in, sign_out


def _locked_message(until):
    local = until.replace(tzinfo=UTC)
    return _("Terlalu banyak percobaan yang salah. Coba lagi setelah pukul %(time)s.",
             time=format_time(local, "HH:mm"))


def _login_page(form, status=200, notice=None):
    return render("akun/masuk.html", "content", status=status, form=form, errors=errors_of(form),
                  notice=notice, next=safe_next(request.values.get("next")) or "")


@bp.get("/masuk")
def masuk():
    """The sign-in form."""
    notice = {"keluar": _("Anda sudah keluar."),
              "sandi": _("Kata sandi sudah diganti. Silakan masuk dengan kata sandi baru.")}.get(
        request.args.get("info", ""))
    return _login_page(LoginForm(formdata=None), notice=notice)


@bp.post("/masuk")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def masuk_kirim():
    """Checks NIK/e-mail and password. The message never tells whether an
    account exists; a locked identifier says when to try again. Failed
    sign-ins per client are limited (LOGIN_RATE_LIMIT) in the database, shared
    by every worker; Flask-Limiter above counts every attempt, shared only
    with Redis."""
    if services.client_blocked(request.remote_addr):
        abort(429)
    form = LoginForm()
    if not form.validate():
        form.password.data = ""
        return _login_page(form, status=422)
    result = services.authenticate(form.identitas.data, form.password.data)
    form.password.data = ""
    if not result.ok:
        services.record_client_failure(request.remote_addr)
        # Officers' failed passwords go to the audit log (webapp.petugas).
        failed = current_app.extensions.get("akun.failed_sign_in")
        if failed is not None:
            failed(form.identitas.data, result)
        form.identitas.errors = [_locked_message(result.locked_until) if result.locked_until
                                 else _("NIK/e-mail atau kata sandi salah.")]
        return _login_page(form, status=422)
    # A second factor (officers, webapp.petugas) may take over from here.
    second = current_app.extensions.get("akun.second_factor")
    if second is not None and (step := second(result.account, safe_next(request.form.get("next")))):
        return step
    sign_in(result.account)
    return redirect(safe_next(request.form.get("next")) or url_for("akun.profil"))


@bp.post("/keluar")
def keluar():
    """Ends the session on the server (POST only: a link cannot sign anyone out)."""
    sign_out(current_account())
    return redirect(url_for("akun.masuk", info="keluar"))


@bp.errorhandler(429)
def too_many(_exc):
    """Rate-limited: a short page that says to wait, with the form kept."""
    form = LoginForm(meta={"csrf": False})
    form.password.data = ""
    form.identitas.errors = [_("Anda mencoba terlalu sering. Tunggu beberapa menit lalu coba lagi.")]
    return _login_page(form, status=429)


@bp.get("/lupa-sandi")
def lupa():
    """Asks for the NIK or e-mail; points people without e-mail to the
    kantor desa (officer-issued code)."""
    return render("akun/lupa.html", "content", form=ResetRequestForm(formdata=None), errors=None, sent=False)


@bp.post("/lupa-sandi")
@limiter.limit(lambda: current_app.config["CODE_RATE_LIMIT"], methods=["POST"])
def lupa_kirim():
    """Sends a code (e-mail and/or SMS) if NIK or e-mail has an account; the
    answer is the same either way."""
    form = ResetRequestForm()
    if not form.validate():
        return render("akun/lupa.html", "content", status=422, form=form, errors=errors_of(form), sent=False)
    account = services.find_account(form.email.data)
    if account is not None:
        # Too soon: the earlier code still works; saying so would reveal the account.
        with contextlib.suppress(codes.TooSoon):
            services.send_code(account, codes.RESET)
    reset = ResetForm(formdata=None, email=form.email.data)

    # Said whether or not the account exists: it reveals nothing.
    return render("akun/lupa.html", "content", form=reset, errors=None, sent=True,
                  delayed=not queue_reachable())


@bp.post("/lupa-sandi/baru")
@limiter.limit(lambda: current_app.config["CODE_RATE_LIMIT"], methods=["POST"])
def sandi_baru():
    """Code + new password. Wrong code and unknown NIK/e-mail read the same."""
    form = ResetForm()
    valid = form.validate()
    account = services.find_account(form.email.data) if form.email.data else None
    if valid:
        result = (codes.check_code(account, codes.RESET, form.kode.data) if account
                  else codes.CodeCheck("none"))
        if result.ok:
            services.set_password(account, form.password.data)
            sign_out(None)
            return redirect(url_for("akun.masuk", info="sandi"))
        form.kode.errors = [code_message(result)]
    if form.password.errors:
        form.password.data = ""
    return render("akun/lupa.html", "content", status=422, form=form, errors=errors_of(form), sent=True)


def _officer_code_page(form, status=200):
    form.password.data = ""  # never sent back
    return render("akun/kode_petugas.html", "content", status=status, form=form, errors=errors_of(form))


@bp.get("/lupa-sandi/kode-petugas")
def kode_petugas():
    """New password with the code from the kantor desa (issue #16)."""
    return _officer_code_page(OfficerCodeForm(formdata=None))


@bp.post("/lupa-sandi/kode-petugas")
@limiter.limit(lambda: current_app.config["CODE_RATE_LIMIT"], methods=["POST"])
def kode_petugas_kirim():
    """NIK + officer code + new password. Wrong code and unknown NIK read the
    same; the code is single-use, short-lived, locked after a few wrong tries."""
    form = OfficerCodeForm()
    valid = form.validate()
    nik = (form.nik.data or "").replace(" ", "")
    account = services.find_account(nik) if len(nik) == 16 else None
    if valid:
        result = (services.reset_with_officer_code(account, form.kode.data, form.password.data)
                  if account and account.role == "warga" else codes.CodeCheck("none"))
        if result.ok:
            sign_out(None)
            return redirect(url_for("akun.masuk", info="sandi"))
        form.kode.errors = [{
            "wrong": _("Kode salah. Sisa percobaan: %(n)d.", n=result.tries_left),
            "expired": _("Kode sudah kedaluwarsa. Minta kode baru kepada petugas kantor desa/kelurahan."),
            "locked": _("Terlalu banyak kode salah. Minta kode baru kepada petugas kantor desa/kelurahan."),
        }.get(result.outcome, _("NIK atau kode tidak cocok, atau kode sudah dipakai. Periksa lagi, atau "
                                "minta kode baru kepada petugas."))]
    return _officer_code_page(form, status=422)


def code_message(result):
    return {
        "wrong": _("Kode salah. Sisa percobaan: %(n)d.", n=result.tries_left),
        "expired": _("Kode sudah kedaluwarsa (berlaku 10 menit). Minta kode baru."),
        "locked": _("Terlalu banyak kode salah. Minta kode baru."),
    }.get(result.outcome, _("Kode tidak berlaku atau sudah dipakai. Minta kode baru."))
