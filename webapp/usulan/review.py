"""'Periksa kembali': every answer with a change link, then 'Kirim'. Sending
gives the receipt number and an e-mail."""

import logging

from flask import g, redirect, url_for

from .. import clock, mail
from ..i18n import gettext as _
from ..identity import mask_name
from ..registry.models import Program, Region
from ..registry.programs import FULL_NAMES, KIND_LABELS, kind_of
from . import bp, drafts, services
from .forms import SEXES
from .steps import page, step_view

log = logging.getLogger(__name__)


def _program_words(code, names):
    """'PKH – Program Keluarga Harapan; Bantuan uang tunai'."""
    if code not in FULL_NAMES:
        return names.get(code, code)
    return f"{names.get(code, code)} – {_(FULL_NAMES[code])}; {KIND_LABELS[kind_of(code)]}"


def summary(proposal):
    """Every answer of the proposal with names, not codes: the citizen's
    review page and the officer's proposal page both read this."""
    desa = Region.get_or_none(Region.code == proposal.desa_code) if proposal.desa_code else None
    chain = []
    while desa is not None:
        chain.append(desa.name)
        desa = desa.parent
    programs = {p.code: p.name for p in Program.select()}
    return {
        "sex": dict(SEXES).get(proposal.sex, ""),
        "region": ", ".join(chain),
        "conditions": [str(label) for code, label in drafts.CONDITIONS if code in proposal.condition_list],
        "programs": [programs.get(code, code) for code in proposal.program_list],
        "program_full": [_program_words(code, programs) for code in proposal.program_list],
        "sex_names": {code: str(label) for code, label in SEXES},
        "members": drafts.members_of(proposal),
        "documents": drafts.documents_of(proposal),
        "originals": drafts.originals_seen(proposal),
    }


def _review_page(proposal, status=200):
    missing = drafts.missing_steps(proposal)
    titles = dict(drafts.STEPS)
    errors = [(f"bagian-{name}", _("Lengkapi bagian: %(step)s", step=str(titles[name])))
              for name in missing]
    back = url_for(f"usulan.{drafts.STEP_NAMES[-1]}", pid=proposal.public_id)
    assisted = services.is_assisted(proposal)
    return page("dokumen", None, status=status, template="review", back=back, errors=errors or None,
                missing=missing, summary=summary(proposal), kinds=drafts.DOCUMENT_KINDS,
                steps=drafts.STEPS, assisted=assisted,
                review_title=_("Periksa kembali usulan warga") if assisted
                else _("Periksa kembali usulan Anda"))


@bp.get("/<pid>/periksa")
@step_view
def periksa(proposal):
    """Every answer, each with a link to change it."""
    return _review_page(proposal)


@bp.post("/<pid>/kirim")
@step_view
def kirim(proposal):
    """Sends the proposal; incomplete ones come back with what is missing.
    An assisted proposal is sent by its officer at /petugas/bantu (region
    check, audit row, no e-mail): the same POST goes there."""
    if services.is_assisted(proposal):
        return redirect(url_for("petugas.bantu_kirim", pid=proposal.public_id), 307)
    try:
        services.submit(proposal, g.citizen)
    except services.TransitionError:
        return _review_page(proposal, status=422)
    _mail_receipt(proposal)
    return redirect(url_for("usulan.receipt", pid=proposal.public_id), 303)


def _mail_receipt(proposal):
    """The receipt by e-mail (queued by webapp.mail; never holds the NIK)."""
    email = getattr(g.citizen, "email", None)
    if not email:
        return
    link = url_for("usulan.detail", pid=proposal.public_id, _external=True)
    status_link = url_for("usulan.status", _external=True)
    body = _(
        "Usulan bantuan sosial untuk %(name)s sudah kami terima.\n\n"
        "Nomor tanda terima: %(receipt)s\nTanggal: %(date)s\nStatus: %(status)s\n\n"
        "Ikuti statusnya di %(link)s\natau tanpa akun di %(status_link)s dengan nomor tanda terima "
        "dan tanggal lahir orang yang diusulkan.\n\n"
        "Usulan akan dibahas dalam musyawarah desa/kelurahan, lalu diverifikasi oleh Dinas Sosial.",
        name=mask_name(proposal.name or ""), receipt=proposal.receipt_no,
        date=clock.show(proposal.submitted_at, "%d-%m-%Y"), status=str(services.label(proposal.status)),
        link=link, status_link=status_link)
    try:
        mail.send_mail(email, _("Tanda terima usulan %(receipt)s", receipt=proposal.receipt_no), body)
    except Exception:  # noqa: BLE001 - the proposal is sent; a mail failure must not hide that
        log.exception("receipt mail could not be queued")


