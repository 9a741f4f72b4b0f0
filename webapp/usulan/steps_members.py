"""Household members (add, change, remove) and documents (one file per
submit, so a slow connection loses at most one photo)."""

from flask import abort, redirect, request, url_for

from ..i18n import gettext as _
from ..uploads import UploadError
from . import bp, drafts, services
from .access import is_assisting
from .forms import MemberForm
from .models import ProposalMember
from .steps import page, saved, step_view


@bp.route("/<pid>/anggota", methods=["GET", "POST"])
@step_view
def anggota(proposal):
    """The members listed on the KK besides the proposed person."""
    if request.method == "POST":
        services.touch(proposal, members_done=True)
        return saved("anggota")
    return page("anggota", None, members=drafts.members_of(proposal))


def _member(proposal, mid):
    member = ProposalMember.get_or_none((ProposalMember.id == mid) & (ProposalMember.proposal == proposal))
    if member is None:
        abort(404)
    return member


def _member_form(proposal, member=None):
    if request.method == "GET":
        data = {} if member is None else {
            "nik": member.nik, "name": member.name, "relationship": member.relationship,
            "birth_date": member.birth_date.strftime("%d-%m-%Y"), "sex": member.sex,
            "occupation": member.occupation}
        return _member_page(proposal, MemberForm(formdata=None, data=data), member)
    form = MemberForm()
    if form.validate():
        data = {"nik": form.nik.data, "name": form.name.data, "relationship": form.relationship.data,
                "birth_date": form.birth_date_value, "sex": form.sex.data,
                "occupation": form.occupation.data}
        try:
            drafts.save_member(proposal, data, member)
        except drafts.MemberError as exc:
            getattr(form, exc.field).errors = [str(exc.message)]
        else:
            return redirect(url_for("usulan.anggota", pid=proposal.public_id,
                                    dari=request.args.get("dari")), 303)
    return _member_page(proposal, form, member, status=422)


def _member_page(proposal, form, member, status=200):
    back = url_for("usulan.anggota", pid=proposal.public_id, dari=request.args.get("dari"))
    return page("anggota", form, status=status, template="anggota_form", back=back, member=member)


@bp.route("/<pid>/anggota/tambah", methods=["GET", "POST"])
@step_view
def anggota_tambah(proposal):
    """Adds one member: NIK, name, relationship, birth date, sex, occupation."""
    return _member_form(proposal)


@bp.route("/<pid>/anggota/<int:mid>/ubah", methods=["GET", "POST"])
@step_view
def anggota_ubah(proposal, mid):
    """Changes one member."""
    return _member_form(proposal, _member(proposal, mid))


@bp.post("/<pid>/anggota/<int:mid>/hapus")
@step_view
def anggota_hapus(proposal, mid):
    """Removes one member."""
    drafts.remove_member(proposal, _member(proposal, mid))
    return redirect(url_for("usulan.anggota", pid=proposal.public_id, dari=request.args.get("dari")), 303)


def _documents_page(proposal, status=200, error_kind=None, error=None):
    return page("dokumen", None, status=status, errors=[(f"berkas-{error_kind}", error)] if error else None,
                documents=drafts.documents_of(proposal), required=drafts.required_documents(proposal),
                kinds=drafts.DOCUMENT_KINDS, error_kind=error_kind, error=error,
                originals=drafts.originals_seen(proposal), original_kinds=drafts.ORIGINAL_KINDS,
                assisting=is_assisting(proposal))


@bp.route("/<pid>/dokumen", methods=["GET", "POST"])
@step_view
def dokumen(proposal):
    """Photos of the e-KTP and KK, an SKTM when needed, a house photo if any."""
    if request.method == "GET":
        return _documents_page(proposal)

    kind = request.form.get("jenis", "")
    if kind not in drafts.DOCUMENT_NAMES:
        abort(400)
    file = request.files.get("berkas")
    if file is None or not file.filename:
        return _documents_page(proposal, 422, kind, _("Pilih berkas foto terlebih dahulu."))
    try:
        drafts.save_document(proposal, kind, file)
    except UploadError as exc:
        return _documents_page(proposal, 422, kind, str(exc.message))
    return redirect(url_for("usulan.dokumen", pid=proposal.public_id, dari=request.args.get("dari")), 303)


@bp.post("/<pid>/dokumen/<kind>/hapus")
@step_view
def dokumen_hapus(proposal, kind):
    """Removes one uploaded document."""
    doc = drafts.documents_of(proposal).get(kind)
    if doc is None:
        abort(404)
    drafts.remove_document(proposal, doc)
    return redirect(url_for("usulan.dokumen", pid=proposal.public_id), 303)
