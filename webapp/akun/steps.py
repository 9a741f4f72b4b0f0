"""Registration steps 2 and 3: the e-mail code, then the KTP photo and the
selfie (one file per submit, so a failed upload costs only that file)."""

from flask import abort, current_app, redirect, request, url_for

from .. import delivery
from ..forms import errors_of
from ..htmx import render
from ..i18n import gettext as _
from ..security import limiter
from ..tasks import queue_reachable
from ..uploads import UploadError, send_image
from . import bp, codes, photos, services
from .auth import code_message
from .forms import CodeForm
from .models import CODE_STATES
from .session import current_account, login_required

KIND_LABELS = {"ktp": lambda: _("Foto KTP"), "selfie": lambda: _("Swafoto sambil memegang KTP")}


def _code_page(form, status=200, notice=None):
    account = current_account()
    return render("akun/verifikasi.html", "content", status=status, form=form,
                  errors=errors_of(form), notice=notice, account=account,
                  destination=delivery.code_destination(account), delayed=not queue_reachable())


@bp.get("/verifikasi")
@login_required
def verifikasi():
    """Asks for the code that was e-mailed."""
    if current_account().state not in CODE_STATES:
        return redirect(url_for("akun.foto"))
    return _code_page(CodeForm(formdata=None))


@bp.post("/verifikasi")
@login_required
@limiter.limit(lambda: current_app.config["CODE_RATE_LIMIT"], methods=["POST"])
def verifikasi_kirim():
    """Checks the code; "kirim_ulang" sends a new one instead."""
    account = current_account()
    if account.state not in CODE_STATES:
        return redirect(url_for("akun.foto"))
    if "kirim_ulang" in request.form:
        try:
            sent = services.send_code(account, codes.VERIFY)
            notice = (_("Kode baru sudah dikirim. Kode lama tidak berlaku lagi.") if sent
                      else None)  # the page says the code is delayed
        except codes.TooSoon as exc:
            notice = _("Tunggu %(n)d detik sebelum meminta kode baru.", n=exc.wait_seconds)
        return _code_page(CodeForm(formdata=None), notice=notice)
    form = CodeForm()
    if form.validate():
        result = services.confirm_email(account, form.kode.data)
        if result.ok:
            return redirect(url_for("akun.foto"))
        form.kode.errors = [code_message(result)]
    form.kode.data = ""
    return _code_page(form, status=422)


def _photo_page(status=200, error_kind=None, error=None):
    account = current_account()
    errors = [(f"berkas-{error_kind}", error)] if error else None
    return render("akun/foto.html", "content", status=status, account=account, errors=errors,
                  photos=photos.photos_of(account), kinds=photos.KINDS, labels=KIND_LABELS,
                  error_kind=error_kind, error=error, editable=account.state in photos.EDITABLE)


@bp.get("/foto")
@login_required
def foto():
    """Both photos, each with its own upload form and what was uploaded."""
    if current_account().state in CODE_STATES:
        return redirect(url_for("akun.verifikasi"))
    return _photo_page()


@bp.post("/foto/<kind>")
@login_required
def foto_unggah(kind):
    """One file. A refused file is explained; nothing else needs redoing."""
    account = current_account()
    if kind not in photos.KINDS:
        abort(404)
    if account.state not in photos.EDITABLE:
        return redirect(url_for("akun.foto"))
    upload = request.files.get("berkas")
    if upload is None or not upload.filename:
        return _photo_page(422, kind, _("Pilih berkas foto terlebih dulu."))
    try:
        photos.save_photo(account, kind, upload)
    except UploadError as exc:
        return _photo_page(422, kind, exc.message)
    return redirect(url_for("akun.foto") + f"#foto-{kind}")


@bp.get("/foto/lihat/<public_id>.jpg")
@login_required
def foto_lihat(public_id):
    """The owner's own photo; anyone else's id is a 404."""
    photo = photos.owned(current_account(), public_id)
    if photo is None:
        abort(404)
    return send_image(photo.name)


@bp.post("/foto/kirim")
@login_required
def foto_kirim():
    """Sends the account to the officers once both photos are there."""
    account = current_account()
    if not services.submit_for_review(account):
        if account.state not in photos.EDITABLE:
            return redirect(url_for("akun.profil"))
        missing = next(k for k in photos.KINDS if k not in photos.photos_of(account))
        return _photo_page(422, missing, _("Unggah %(what)s dulu.", what=KIND_LABELS[missing]().lower()))
    return redirect(url_for("akun.profil"))
