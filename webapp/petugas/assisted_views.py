"""Operator-assisted mode at /petugas/bantu: an officer at the kiosk starts a
proposal for a citizen who is present, ticks the original documents seen and
sends it. The steps in between are the ordinary usulan steps (the officer
owns the draft); the rules are in assisted.py, the region in scope.py."""

from flask import abort, g, redirect, request, url_for

from ..htmx import render
from ..usulan import drafts, states
from . import assisted, bp, scope
from .access import officer_required
from .forms import AssistForm


def _page(form, status=200, gate=None, refused=None):
    errors = [(name, msgs[0]) for name, msgs in form.errors.items() if msgs]
    if refused:
        errors.append(("bantuan", refused))
    return render("petugas/bantu.html", "content", status=status, form=form, gate=gate,
                  items=assisted.assisted_list(g.officer), label=states.label,
                  next_step=drafts.next_step, errors=errors or None, refused=refused)


@bp.get("/bantu")
@officer_required()
def bantu():
    """The form to start a proposal for a citizen at the kiosk, and the
    proposals this officer has helped with."""
    return _page(AssistForm(formdata=None))


@bp.post("/bantu")
@officer_required()
def bantu_mulai():
    """"Cek Usulan" on the citizen's behalf (the same gate rules); a household
    registered outside the officer's region is a 404, logged."""
    form = AssistForm()
    if not form.validate():
        return _page(form, status=422)
    try:
        gate = assisted.start(g.officer, form.no_kk.data, form.nik.data)
    except assisted.OutOfRegion:
        return scope.deny(g.officer, "bantuan", "")  # aborts with 404
    if gate.refusal:
        return _page(form, status=200 if gate.refusal == "desil" else 409, gate=gate)
    return redirect(url_for("usulan.data_diri", pid=gate.proposal.public_id), 303)


@bp.post("/bantu/<pid>/dokumen-asli")
@officer_required()
def bantu_dokumen_asli(pid):
    """Ticks (checkbox `asli`) or unticks "Dokumen asli sudah dilihat petugas"
    for one document (`jenis`) of an assisted draft."""
    proposal = scope.get_or_404("bantuan", pid, g.officer)
    kind = request.form.get("jenis", "")
    if kind not in drafts.ORIGINAL_KINDS:
        abort(400)
    try:
        assisted.set_original_seen(g.officer, proposal, kind, request.form.get("asli") == "1")
    except states.TransitionError:
        return redirect(url_for("usulan.detail", pid=pid), 303)
    return redirect(url_for("usulan.dokumen", pid=pid, dari=request.args.get("dari")), 303)


@bp.post("/bantu/<pid>/kirim")
@officer_required()
def bantu_kirim(pid):
    """Sends an assisted proposal and shows the printable receipt."""
    proposal = scope.get_or_404("bantuan", pid, g.officer)
    if proposal.status not in states.EDITABLE:
        return redirect(url_for("usulan.detail", pid=pid), 303)
    if drafts.missing_steps(proposal):
        return redirect(url_for("usulan.periksa", pid=pid), 303)
    try:
        assisted.send(g.officer, proposal)
    except assisted.AssistRefused as exc:
        return _page(AssistForm(formdata=None), status=409, refused=str(exc.message))
    return redirect(url_for("usulan.receipt", pid=pid), 303)
