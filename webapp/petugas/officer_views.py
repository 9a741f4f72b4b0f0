"""Officer accounts in the UI: a higher officer lists, creates, re-scopes,
disables and resets the TOTP of officers below them in their region; a new
(or reset) officer enrols through a one-time link; an officer renews their
recovery codes. The rules are in officers.py."""

from functools import wraps

from flask import abort, g, redirect, request, url_for

from ..akun import roles
from ..forms import errors_of as _errors
from ..htmx import render
from ..i18n import gettext as _
from . import bp, officers
from .access import officer_required
from .forms import EnrolCodeForm, EnrolPasswordForm, OfficerForm, RescopeForm


def _manager_required(view):
    @wraps(view)
    @officer_required()
    def wrapped(*args, **kwargs):
        if not officers.may_manage(g.officer):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _role_options(actor):
    return [(role, roles.ROLE_LABELS[role]) for role in officers.roles_below(actor)]


def _link(token):
    return url_for("petugas.aktivasi", token=token, _external=True)


@bp.get("/petugas")
@_manager_required
def petugas_list():
    """The officers below me in my region, with their state."""
    items = list(officers.managed_by(g.officer))
    return render("petugas/petugas_list.html", "content", items=items, labels=roles.ROLE_LABELS,
                  pending=officers.pending, errors=None)


def _new_page(form, status=200, extra=()):
    return render("petugas/petugas_baru.html", "content", status=status, form=form,
                  roles=_role_options(g.officer), errors=_errors(form, extra) or None)


@bp.route("/petugas/baru", methods=["GET", "POST"])
@_manager_required
def petugas_baru():
    """Create an officer below me; the enrolment link is shown once."""
    if request.method == "GET":
        return _new_page(OfficerForm(formdata=None))
    form = OfficerForm()
    if not form.validate():
        return _new_page(form, 422)
    try:
        account, _secret, token = officers.create(g.officer, form.email.data, form.nik.data, form.nama.data,
                                                  form.peran.data, form.wilayah.data)
    except officers.OfficerError as exc:
        return _new_page(form, 422, [(exc.field, str(exc.message))])
    return render("petugas/petugas_tautan.html", "content", account=account, link=_link(token),
                  labels=roles.ROLE_LABELS, reset=False, errors=None)


def _detail_page(account, form=None, status=200, extra=()):
    form = form or RescopeForm(formdata=None, peran=account.role, wilayah=account.region_scope or "")
    return render("petugas/petugas_detail.html", "content", status=status, a=account, form=form,
                  roles=_role_options(g.officer), labels=roles.ROLE_LABELS, pending=officers.pending(account),
                  errors=_errors(form, extra) or None, info=request.args.get("info"))


@bp.get("/petugas/<aid>")
@_manager_required
def petugas_detail(aid):
    """One officer below me: role, region, state, and what I may change."""
    return _detail_page(officers.get_managed(g.officer, aid))


@bp.post("/petugas/<aid>/wilayah")
@_manager_required
def petugas_wilayah(aid):
    """Move the officer to another role/region below and inside mine."""
    account = officers.get_managed(g.officer, aid)
    form = RescopeForm()
    if not form.validate():
        return _detail_page(account, form, 422)
    try:
        officers.rescope(g.officer, account, form.peran.data, form.wilayah.data)
    except officers.OfficerError as exc:
        return _detail_page(account, form, 422, [(exc.field, str(exc.message))])
    return redirect(url_for("petugas.petugas_list", info="wilayah"), 303)


@bp.post("/petugas/<aid>/status")
@_manager_required
def petugas_status(aid):
    """Disable (or enable again) the officer."""
    account = officers.get_managed(g.officer, aid)
    officers.set_active(g.officer, account, request.form.get("aktif") == "1")
    return redirect(url_for("petugas.petugas_detail", aid=aid, info="status"), 303)


@bp.post("/petugas/<aid>/atur-ulang-totp")
@_manager_required
def petugas_reset_totp(aid):
    """The officer lost their phone: a new enrolment link, shown once."""
    account = officers.get_managed(g.officer, aid)
    token = officers.reset_totp(g.officer, account)
    return render("petugas/petugas_tautan.html", "content", account=account, link=_link(token),
                  labels=roles.ROLE_LABELS, reset=True, errors=None)


# -- enrolment (no sign-in: the link is the credential) -------------------------
def _enrol_or_404(token):
    row = officers.enrolment(token)
    if row is None:
        abort(404)
    return row


@bp.route("/aktivasi/<token>", methods=["GET", "POST"])
def aktivasi(token):
    """Step 1: a new officer sets a password; then the QR code (and the
    secret as text) is shown, once, with the field for the first code."""
    row = _enrol_or_404(token)
    form = EnrolPasswordForm(formdata=None if request.method == "GET" else request.form)
    if request.method == "GET":
        return render("petugas/aktivasi.html", "content", row=row, form=form, token=token, errors=None)
    if not form.validate():
        return render("petugas/aktivasi.html", "content", status=422, row=row, form=form, token=token,
                      errors=_errors(form))
    password = None
    if row.purpose == officers.NEW:
        password = form.sandi.data or ""
        if password != (form.ulang.data or ""):
            return render("petugas/aktivasi.html", "content", status=422, row=row, form=form, token=token,
                          errors=[("sandi", _("Kedua kata sandi tidak sama."))])
    try:
        secret, qr = officers.offer_secret(row, password)
    except officers.OfficerError as exc:
        return render("petugas/aktivasi.html", "content", status=422, row=row, form=form, token=token,
                      errors=[(exc.field, str(exc.message))])
    return render("petugas/aktivasi_qr.html", "content", token=token, secret=secret, qr=qr,
                  form=EnrolCodeForm(formdata=None), errors=None)


@bp.post("/aktivasi/<token>/kode")
def aktivasi_kode(token):
    """Step 2: the first code confirms the app; recovery codes, shown once."""
    row = _enrol_or_404(token)
    form = EnrolCodeForm()
    problem = None
    if form.validate():
        try:
            codes = officers.confirm(row, form.kode.data)
        except officers.OfficerError as exc:
            problem = str(exc.message)
        else:
            return render("petugas/kode_pemulihan.html", "content", codes=codes, enrolled=True, errors=None)
    # A wrong code: the secret is not shown again; scan a new one.
    return render("petugas/aktivasi.html", "content", status=422, row=row,
                  form=EnrolPasswordForm(formdata=None), token=token,
                  errors=_errors(form, [("kode", problem)] if problem else []))


@bp.route("/keamanan", methods=["GET", "POST"])
@officer_required()
def keamanan():
    """My recovery codes: how many are left, and a fresh set (shown once)."""
    if request.method == "POST":
        codes = officers.new_recovery_codes(g.officer)
        return render("petugas/kode_pemulihan.html", "content", codes=codes, enrolled=False, errors=None)
    return render("petugas/keamanan.html", "content", left=officers.remaining_recovery_codes(g.officer),
                  errors=None)


