"""The proposal queue, a proposal's file, documents, decisions, home visits
and musyawarah records. Every record comes through scope."""

from flask import abort, g, redirect, request, url_for

from .. import uploads
from ..akun import roles
from ..forms import errors_of as _errors
from ..forms import page_arg
from ..htmx import render
from ..i18n import gettext as _
from ..identity import mask_nik
from ..registry.models import Region
from ..registry.programs import desil_scale
from ..usulan import states
from ..usulan.access import assisting_officer
from ..usulan.drafts import DOCUMENT_NAMES, documents_of, members_of, originals_seen
from ..usulan.models import Proposal
from ..usulan.review import summary as review_summary
from ..usulan.status import timeline
from ..wilayah import LABELS as LEVEL_LABELS
from . import bp, decisions, scope
from .access import officer_required
from .deadlines import is_overdue, overdue_condition
from .decisions import DecisionRefused
from .forms import DESIL_CHOICES, NO_DESIL, DecisionForm, MusyawarahForm, VisitForm
from .models import Musyawarah, StageRecord
from .pages import PER_PAGE

MAX_VISIT_PHOTOS = 5


@bp.get("/usulan")
@officer_required()
def usulan_list():
    """Proposals in the officer's region: per stage, by desa, oldest first,
    overdue ones marked, 20 a page."""
    officer = g.officer
    stage = request.args.get("tahap", "")
    if stage not in states.LABELS or stage == states.DRAFT:
        stage = ""
    area = scope.area_for(officer, request.args)
    overdue_only = bool(request.args.get("terlambat"))
    query = scope.proposals_for(officer)
    if stage:
        query = query.where(Proposal.status == stage)
    if area.code:
        query = query.where(scope.under(Proposal.desa, area.code))
    if overdue_only:  # across stages, each against its own deadline
        query = query.where(overdue_condition())
    page = page_arg()
    total = query.count()
    items = list(query.order_by(Proposal.updated_at, Proposal.id).paginate(page, PER_PAGE))
    desa_names = dict(Region.select(Region.code, Region.name)
                      .where(Region.code.in_({p.desa_code for p in items})).tuples()) if items else {}
    return render_list(items, total, page, stage, area, overdue_only, desa_names)


def render_list(items, total, page, stage, area, overdue_only, desa_names):
    stages = [(s, states.label(s)) for s in states.PATH + (states.PERBAIKAN, states.DITOLAK)]
    return render("petugas/usulan_list.html", "content", items=items, total=total, page=page,
                  pages=max(1, -(-total // PER_PAGE)), stage=stage, area=area, overdue_only=overdue_only,
                  level_labels=LEVEL_LABELS, desa_names=desa_names,
                  stages=stages, label=states.label, is_overdue=is_overdue, errors=None,
                  may_decide=lambda p: states.may_decide(g.officer, p))


def _detail(proposal, form=None, visit_form=None, status=200, refused=None):
    officer = g.officer
    form = form or DecisionForm(formdata=None, data={"versi": str(decisions.version_of(proposal))})
    visit_form = visit_form or VisitForm(formdata=None)
    records = list(StageRecord.select().where(StageRecord.proposal == proposal).order_by(StageRecord.id))
    full = roles.may_see_full_data(officer)
    errors = _errors(form) + _errors(visit_form) + ([("putusan", refused)] if refused else [])
    visit = decisions.latest_visit(proposal)
    return render("petugas/usulan_detail.html", "content", status=status, p=proposal, form=form,
                  summary=review_summary(proposal), visit=visit,
                  program_checks=decisions.program_checks(proposal, visit) if visit else [],
                  desil_choices=DESIL_CHOICES, no_desil=NO_DESIL, desil_scale=desil_scale(),
                  visit_form=visit_form, records=records, steps=timeline(proposal),
                  members=members_of(proposal), documents=documents_of(proposal),
                  originals=originals_seen(proposal), helper=assisting_officer(proposal),
                  document_names=DOCUMENT_NAMES, label=states.label, errors=errors or None,
                  nik=proposal.nik if full else mask_nik(proposal.nik), mask_nik=mask_nik, full=full,
                  may_decide=states.may_decide(officer, proposal), overdue=is_overdue(proposal),
                  musyawarah=decisions.musyawarah_options(officer, proposal)
                  if proposal.status == states.MUSYAWARAH else [],
                  housing=dict(decisions.HOUSING), refused=refused,
                  may_visit=states.may_visit(officer, proposal))


@bp.get("/usulan/<pid>")
@officer_required()
def usulan_detail(pid):
    """A proposal's file: person, members, documents, timeline, records, and
    the decision form when it is this officer's stage."""
    return _detail(scope.get_or_404("usulan", pid, g.officer))


@bp.get("/usulan/<pid>/dokumen/<kind>")
@officer_required()
def usulan_dokumen(pid, kind):
    """A proposal's document image."""
    proposal = scope.get_or_404("usulan", pid, g.officer)
    doc = documents_of(proposal).get(kind) if kind in DOCUMENT_NAMES else None
    if doc is None:
        abort(404)
    return uploads.send_image(doc.stored_name)


@bp.post("/usulan/<pid>/putusan")
@officer_required()
def usulan_putusan(pid):
    """Approve (forward), reject with a reason, or return for revision. The
    form carries the version it was shown: a repeat finds it moved."""
    officer = g.officer
    proposal = scope.get_or_404("usulan", pid, officer)
    form = DecisionForm()
    if not form.validate():
        return _detail(proposal, form=form, status=422)
    meeting = None
    if form.musyawarah.data:
        meeting = scope.musyawarah_for(officer).where(Musyawarah.public_id == form.musyawarah.data).first()
    try:
        decisions.decide_proposal(officer, proposal, form.keputusan.data, form.catatan.data,
                                 form.versi.value, musyawarah=meeting)
    except DecisionRefused as exc:
        fresh = Proposal.get_by_id(proposal.id)
        return _detail(fresh, status=409, refused=str(exc.message))
    return redirect(url_for("petugas.usulan_detail", pid=pid, info="putusan"), 303)


@bp.post("/usulan/<pid>/kunjungan")
@officer_required(*roles.VISIT_ROLES)
def usulan_kunjungan(pid):
    """Records the home visit: date, housing checklist, notes, up to 5 photos."""
    officer = g.officer
    proposal = scope.get_or_404("usulan", pid, officer)
    form = VisitForm()
    if not form.validate():
        return _detail(proposal, visit_form=form, status=422)
    files = [f for f in request.files.getlist("foto") if f and f.filename][:MAX_VISIT_PHOTOS]
    try:
        photos = [uploads.process_image(f) for f in files]
        decisions.record_visit(officer, proposal, form.tanggal.value, form.kondisi.data or [],
                              form.catatan.data, photos, desil=form.desil_value,
                              desil_reason=form.alasan_desil.data)
    except uploads.UploadError as exc:
        form.kondisi.errors = []
        return _detail(proposal, visit_form=form, status=422, refused=str(exc))
    except DecisionRefused as exc:
        return _detail(proposal, visit_form=form, status=409, refused=str(exc.message))
    return redirect(url_for("petugas.usulan_detail", pid=pid, info="kunjungan"), 303)


@bp.get("/kunjungan/<photo_id>")
@officer_required()
def kunjungan_foto(photo_id):
    """A home-visit photo."""
    return uploads.send_image(scope.get_or_404("foto_kunjungan", photo_id, g.officer).stored_name)


def _musyawarah_page(form, status=200, error=None):
    officer = g.officer
    meetings = list(scope.musyawarah_for(officer).order_by(Musyawarah.held_on.desc()).limit(50))
    errors = _errors(form) + ([("berita_acara", error)] if error else [])
    return render("petugas/musyawarah.html", "content", status=status, form=form, meetings=meetings,
                  errors=errors or None, upload_error=error, officer=officer)


@bp.get("/musyawarah")
@officer_required(*roles.MUSYAWARAH_ROLES)
def musyawarah():
    """The desa's musyawarah records, and the form to add one."""
    return _musyawarah_page(MusyawarahForm(formdata=None))


@bp.post("/musyawarah")
@officer_required(*roles.MUSYAWARAH_ROLES)
def musyawarah_kirim():
    """Records a musyawarah with its berita acara (a photo or scan as an image)."""
    officer = g.officer
    form = MusyawarahForm()
    if not form.validate():
        return _musyawarah_page(form, status=422)
    file = request.files.get("berita_acara")
    if not file or not file.filename:
        return _musyawarah_page(form, status=422, error=_("Unggah foto berita acara musyawarah."))
    try:
        image = uploads.process_image(file)
        decisions.create_musyawarah(officer, officer.region_scope, form.tanggal.value, image)
    except uploads.UploadError as exc:
        return _musyawarah_page(form, status=422, error=str(exc))
    except DecisionRefused as exc:
        return _musyawarah_page(form, status=409, error=str(exc.message))
    return redirect(url_for("petugas.musyawarah", info="tersimpan"), 303)


@bp.get("/musyawarah/<mid>/berita-acara")
@officer_required()
def berita_acara(mid):
    """The minutes of a musyawarah."""
    return uploads.send_image(scope.get_or_404("musyawarah", mid, g.officer).berita_acara)
