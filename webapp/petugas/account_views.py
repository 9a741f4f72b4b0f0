"""The account verification queue (/petugas/akun): a citizen's account with
its KTP photo and selfie, the decision, and a password code at the counter."""

from datetime import timedelta

from flask import abort, current_app, g, redirect, request, url_for

from .. import uploads
from ..akun import codes
from ..akun.models import OFFICER, Account, Photo, utcnow
from ..akun.services import REJECT_REASONS, issue_officer_reset_code
from ..forms import errors_of as _errors
from ..forms import page_arg
from ..htmx import render
from ..i18n import gettext as _
from ..identity import mask_nik
from ..registry.models import Region
from . import accounts, bp, scope
from .access import verifier_required
from .decisions import DecisionRefused
from .forms import AccountDecisionForm, NikSearchForm, ResetCodeForm
from .pages import PER_PAGE


@bp.get("/akun")
@verifier_required
def akun_list():
    """Accounts waiting for the officer's check, oldest first; or, with
    ?nik=, the one account with that NIK in the officer's region (to issue a
    password code at the counter)."""
    search = NikSearchForm(request.args)
    nik = (search.nik.data or "").replace(" ", "")
    query = scope.accounts_for(g.officer)
    if nik:
        query = query.where(Account.nik == nik) if len(nik) == 16 and nik.isdigit() else query.where(
            Account.id == 0)
    else:
        query = query.where(Account.state == OFFICER)
    page = page_arg()
    items = list(query.order_by(Account.updated_at, Account.id).paginate(page, PER_PAGE))
    return render("petugas/akun_list.html", "content", items=items, total=query.count(), page=page,
                  mask_nik=mask_nik, errors=None, search=search, searched=bool(nik))


def region_chain(code):
    """'Beji, Beji, Kota Depok, Jawa Barat' for a desa code: names, not codes."""

    names = []
    region = Region.get_or_none(Region.code == code) if code else None
    while region is not None:
        names.append(region.name)
        region = region.parent
    return ", ".join(names)


def _akun_page(account, form=None, status=200, refused=None, reset_form=None, extra=()):
    photos = {p.kind: p for p in Photo.select().where(Photo.account == account)}
    form = form or AccountDecisionForm(formdata=None)
    errors = _errors(form) + ([("keputusan", refused)] if refused else []) + list(extra)
    return render("petugas/akun_detail.html", "content", status=status, a=account, photos=photos,
                  region_names=region_chain(account.desa_code), form=form, reasons=REJECT_REASONS,
                  errors=errors or None, waiting=account.state == OFFICER,
                  reset_form=reset_form or ResetCodeForm(formdata=None))


@bp.post("/akun/<aid>/kode-sandi")
@verifier_required
def akun_kode_sandi(aid):
    """A one-time password code for a citizen at the counter, after the KTP
    was checked in person. Shown once on this answer (printable on the 80 mm
    slip, never stored in clear or cached); the officer never sees or sets the
    password itself. Only officers who may verify accounts of that desa."""

    account = scope.get_or_404("akun", aid, g.officer)
    form = ResetCodeForm()
    if not form.validate():
        return _akun_page(account, status=422, reset_form=form,
                          extra=[("ktp_diperiksa", msgs[0]) for msgs in form.errors.values() if msgs])
    try:
        code = issue_officer_reset_code(g.officer, account)
    except codes.TooSoon as exc:
        form.ktp_diperiksa.errors = [_("Kode baru saja diterbitkan. Tunggu %(n)d detik.", n=exc.wait_seconds)]
        return _akun_page(account, status=429, reset_form=form,
                          extra=[("ktp_diperiksa", form.ktp_diperiksa.errors[0])])
    minutes = current_app.config["OFFICER_RESET_CODE_MINUTES"]
    response = render("petugas/kode_sandi.html", "content", a=account, errors=None,
                      code=f"{code[:4]} {code[4:]}", minutes=minutes, masked_nik=mask_nik(account.nik),
                      until=utcnow() + timedelta(minutes=minutes))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/akun/<aid>")
@verifier_required
def akun_detail(aid):
    """An account with its KTP photo and selfie, and the decision form."""
    return _akun_page(scope.get_or_404("akun", aid, g.officer))


@bp.get("/akun/<aid>/foto/<kind>")
@verifier_required
def akun_foto(aid, kind):
    """The account's KTP photo or selfie."""
    account = scope.get_or_404("akun", aid, g.officer)
    photo = Photo.get_or_none((Photo.account == account) & (Photo.kind == kind))
    if photo is None:
        abort(404)
    return uploads.send_image(photo.name)


@bp.post("/akun/<aid>/putusan")
@verifier_required
def akun_putusan(aid):
    """Approve, or reject with one of the fixed reasons; the citizen gets an e-mail."""
    account = scope.get_or_404("akun", aid, g.officer)
    form = AccountDecisionForm()
    if not form.validate():
        return _akun_page(account, form, status=422)
    try:
        accounts.decide_account(g.officer, account, form.keputusan.data, form.alasan.data)
    except DecisionRefused as exc:
        return _akun_page(Account.get_by_id(account.id), status=409, refused=str(exc.message))
    return redirect(url_for("petugas.akun_list", info="putusan"), 303)
