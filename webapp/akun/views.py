"""Registration (step 1), the inline field check and the profile page."""

import contextlib

from flask import abort, current_app, redirect, request, url_for

from ..forms import errors_of, region_chosen
from ..htmx import render
from ..i18n import gettext as _
from ..security import limiter
from ..wilayah import build_picker
from . import bp, codes, profile, services
from .forms import CHECKABLE, RegisterForm
from .models import CODE_STATES
from .session import current_account, login_required, sign_in

TEMPLATE = "akun/daftar.html"
PREFIX = "alamat-"


def _page(form, picker, status=200, mismatch=False):
    if form.password.errors:
        # An unusable password is not sent back; a good one is, so a second
        # submit (region choice, address confirmation) needs no retyping.
        form.password.data = ""
    return render(TEMPLATE, "content", status=status, form=form, picker=picker,
                  errors=errors_of(form, picker=picker), mismatch=mismatch)


def _mismatch(form, picker):
    """The NIK's kecamatan differs from the chosen address: a warning the
    person may confirm (people move), not a refusal."""
    info = getattr(form.nik, "nik_info", None)
    chosen = picker.chosen.get("kecamatan")
    return bool(info and chosen and info.district_code != chosen)


@bp.get("/daftar")
def daftar():
    """The registration form."""
    if current_account() is not None:
        return redirect(url_for("akun.profil"))
    return _page(RegisterForm(formdata=None), build_picker({}, prefix=PREFIX))


@bp.post("/daftar")
@limiter.limit(lambda: current_app.config["REGISTER_RATE_LIMIT"], methods=["POST"],
               exempt_when=lambda: "pilih" in request.form)
def daftar_kirim():
    """Creates the account, sends the code (e-mail, or SMS without e-mail)
    and signs the person in to a limited session (they can only confirm the
    code and add photos). Without e-mail and SMS: straight to the photos."""
    form = RegisterForm()
    picker = build_picker(request.form, prefix=PREFIX)
    if "pilih" in request.form:
        return _page(form, picker)
    valid = form.validate()
    if not region_chosen(form, picker, per_ktp=True):
        valid = False
    mismatch = _mismatch(form, picker)
    if valid and mismatch and not form.alamat_beda.data:
        form.alamat_beda.errors = [_("Kecamatan pada NIK berbeda dengan alamat yang Anda pilih. "
                                     "Periksa lagi, atau centang bahwa alamat Anda memang berbeda.")]
        valid = False
    if not valid:
        return _page(form, picker, status=422, mismatch=mismatch)
    try:
        account = services.register_account(
            form.nik.data, form.no_kk.data, form.nama.data, form.alamat.data, form.rt.data, form.rw.data,
            picker.desa, form.hp.data, form.email.data, form.password.data)
    except services.Duplicate as exc:
        form[exc.field].errors = [
            _("NIK ini sudah punya akun. Masuk, atau pakai \"Lupa kata sandi\".") if exc.field == "nik"
            else _("E-mail ini sudah dipakai akun lain. Masuk, atau pakai e-mail lain.")]
        return _page(form, picker, status=422, mismatch=mismatch)
    sign_in(account)
    if account.state not in CODE_STATES:
        # No e-mail and no SMS gateway: the officer's check stands for the code.
        return redirect(url_for("akun.foto"))
    with contextlib.suppress(codes.TooSoon):  # a fresh account has sent none yet
        services.send_code(account, codes.VERIFY)
    return redirect(url_for("akun.verifikasi"))


@bp.post("/daftar/periksa/<name>")
@limiter.limit("120 per minute")
def periksa(name):
    """One field checked by the same validators as the whole form (htmx,
    on change). The CSRF token came in the X-CSRFToken header."""
    if name not in CHECKABLE:
        abort(404)
    form = RegisterForm(meta={"csrf": False})
    form[name].validate(form)
    return render("akun/_periksa.html", "field", form=form, name=name)


@bp.get("")
@login_required
def profil():
    """The person's own data, account state with the next step, and what the
    registry holds for them."""
    account = current_account()
    return render("akun/profil.html", "content", errors=None, **profile.context(account))



@bp.app_context_processor
def _nav():
    # A callable: only pages that render the nav look the account up.
    return {"signed_in_account": current_account}
