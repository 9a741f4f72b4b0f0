"""The step pages of a draft. Each is a real form: POST saves the draft and
redirects to the next step (or back to "Periksa kembali" when the change came
from there); "Kembali" links go to the previous step."""

from functools import wraps

from flask import g, redirect, request, url_for

from ..db import comma_text
from ..forms import errors_of, region_chosen
from ..htmx import render
from ..i18n import gettext as _
from ..registry.programs import program_description
from ..wilayah import LEVELS, build_picker
from . import bp, drafts, services
from .access import active_required, desa_allowed, own_or_404
from .forms import ConditionsForm, DomicileForm, PersonForm, ProgramsForm


def step_view(view):
    """Loads the caller's own editable proposal (404 for anyone else's; a sent
    one goes to its status page)."""

    @wraps(view)
    @active_required
    def wrapped(pid, **kwargs):
        proposal = own_or_404(pid)
        if proposal.status not in services.EDITABLE:
            return redirect(url_for("usulan.detail", pid=pid))
        g.proposal = proposal
        return view(proposal, **kwargs)

    return wrapped


def from_review():
    return request.args.get("dari") == "periksa"


def step_urls(proposal, step):
    """(back link, where the form goes after saving)."""
    pid = proposal.public_id
    if from_review():
        review = url_for("usulan.periksa", pid=pid)
        return review, review
    before = drafts.previous_step(step)
    start = url_for("petugas.bantu") if services.is_assisted(proposal) else url_for("usulan.index")
    back = url_for(f"usulan.{before}", pid=pid) if before else start
    return back, url_for(f"usulan.{drafts.following_step(step)}", pid=pid)


def page(step, form, status=200, template=None, back=None, errors=None, **ctx):
    proposal = g.proposal
    default_back, _next = step_urls(proposal, step)
    number = drafts.STEP_NAMES.index(step) + 1
    if errors is None and form is not None:
        errors = errors_of(form)
    return render(f"usulan/{template or 'step_' + step}.html", "content", status=status,
                  proposal=proposal, form=form, back=back or default_back, step=step, step_no=number,
                  step_count=len(drafts.STEPS), title=dict(drafts.STEPS)[step], errors=errors,
                  dari="periksa" if from_review() else None, **ctx)


def saved(step):
    return redirect(step_urls(g.proposal, step)[1], 303)


@bp.route("/<pid>/data-diri", methods=["GET", "POST"])
@step_view
def data_diri(proposal):
    """The proposed person as on the KTP."""
    if request.method == "GET":
        form = PersonForm(formdata=None, proposal_nik=proposal.nik, data={
            "name": proposal.name, "birth_place": proposal.birth_place, "sex": proposal.sex,
            "birth_date": proposal.birth_date.strftime("%d-%m-%Y") if proposal.birth_date else "",
            "occupation": proposal.occupation})
        return page("data_diri", form)
    form = PersonForm(proposal_nik=proposal.nik)
    if not form.validate():
        return page("data_diri", form, status=422)
    services.touch(proposal, name=form.name.data, birth_place=form.birth_place.data,
                   birth_date=form.birth_date_value, sex=form.sex.data, occupation=form.occupation.data)
    return saved("data_diri")


@bp.route("/<pid>/domisili", methods=["GET", "POST"])
@step_view
def domisili(proposal):
    """Where the household lives now: the region selects, street, RT/RW."""
    if request.method == "GET":
        code = proposal.desa_code or ""
        parts = code.split(".") if code else []
        values = {level: ".".join(parts[:i + 1]) for i, level in enumerate(LEVELS) if i < len(parts)}
        form = DomicileForm(formdata=None, data=dict(values, street=proposal.street,
                                                      rt=proposal.rt, rw=proposal.rw))
        return page("domisili", form, picker=build_picker(values, prefix="dom-"))
    form = DomicileForm()
    picker = build_picker(request.form, prefix="dom-")
    if "pilih" in request.form:
        return page("domisili", form, picker=picker)
    valid = form.validate()
    if not region_chosen(form, picker):
        valid = False
    if valid and not desa_allowed(proposal, picker.desa):
        form.desa.errors = [_("Desa/kelurahan ini di luar wilayah tugas Anda. Usulan yang dibantu petugas "
                              "hanya untuk warga di wilayah petugas.")]
        valid = False
    if not valid:
        return page("domisili", form, status=422, picker=picker)
    services.touch(proposal, desa=picker.desa, street=form.street.data, rt=form.rt.data, rw=form.rw.data)
    return saved("domisili")


@bp.route("/<pid>/kondisi", methods=["GET", "POST"])
@step_view
def kondisi(proposal):
    """The household's conditions (a checklist) and the reason in words."""
    if request.method == "GET":
        form = ConditionsForm(formdata=None, data={"conditions": proposal.condition_list,
                                                   "reason": proposal.reason})
        return page("kondisi", form)
    form = ConditionsForm()
    if not form.validate():
        return page("kondisi", form, status=422)
    known = [code for code, _label in drafts.CONDITIONS if code in form.conditions.data]
    services.touch(proposal, conditions=comma_text(known), reason=form.reason.data)
    return saved("kondisi")


@bp.route("/<pid>/program", methods=["GET", "POST"])
@step_view
def program(proposal):
    """The programs proposed for, with the desil rule explained."""
    options = drafts.programs_for(proposal)
    desil = proposal.registry_household.desil if proposal.registry_household_id else None
    shown = {"desil": desil, "blocked": [p.name for p, ok in options if not ok],
             "program_choices": [(p.code, f"{p.name}: {program_description(p)}") for p, ok in options if ok]}
    if request.method == "GET":
        form = ProgramsForm(formdata=None, data={"programs": proposal.program_list})
        return page("program", form, **shown)
    form = ProgramsForm()
    valid = form.validate()
    allowed = [p.code for p, ok in options if ok]
    if valid and any(code not in allowed for code in form.programs.data):
        form.programs.errors = [_("Program yang dipilih tidak sesuai dengan desil keluarga ini.")]
        valid = False
    if not valid:
        return page("program", form, status=422, **shown)
    chosen = [code for code in allowed if code in form.programs.data]
    services.touch(proposal, programs=comma_text(chosen))
    return saved("program")
