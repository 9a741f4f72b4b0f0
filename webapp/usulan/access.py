"""Who is signed in, and whose proposal this is: the one bridge to webapp.akun
(and, for operator-assisted proposals, to the officer's role and region rule
in webapp.akun.roles)."""

from dataclasses import dataclass
from functools import wraps

from flask import abort, current_app, g, redirect, request, url_for

from ..akun import roles
from ..htmx import render
from . import services

INACTIVE_TEMPLATE = "usulan/inactive.html"


def current_account():
    """The signed-in account or None (webapp.akun owns sessions)."""
    try:
        from ..akun.session import current_account as akun_current  # webapp.akun is optional here
    except ImportError:  # an install without webapp.akun: nobody is signed in
        return None
    return akun_current()


def login_url():
    if "akun.masuk" not in current_app.view_functions:
        return url_for("cek.index")
    return url_for("akun.masuk", next=request.full_path.rstrip("?"))


def active_required(view):
    """Signed-in and active accounts only. Others are sent to sign in, or told
    why they cannot go on yet and what to do."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        account = current_account()
        if account is None:
            return redirect(login_url())
        if account.state != services.ACTIVE:
            return render(INACTIVE_TEMPLATE, "content", status=403, account=account, errors=None,
                          **inactive_context(account))
        g.citizen = account
        return view(*args, **kwargs)

    return wrapped


def inactive_context(account):
    """Why an account cannot propose yet and its next step: the rejection
    reason with its advice (webapp.akun's REJECT_REASONS), and whether new
    photos fix it. The links exist only where webapp.akun is installed."""
    try:
        from ..akun.services import PHOTO_REASONS, REJECT_REASONS  # optional, as in current_account
    except ImportError:
        PHOTO_REASONS, REJECT_REASONS = frozenset(), {}
    code = getattr(account, "reject_reason", None) or ""
    views = current_app.view_functions
    return {"reason": REJECT_REASONS.get(code), "photo_fix": code in PHOTO_REASONS,
            "photo_url": url_for("akun.foto") if "akun.foto" in views else None,
            "code_url": url_for("akun.verifikasi") if "akun.verifikasi" in views else None}


def own_or_404(public_id):
    """The signed-in account's proposal; anyone else's (or none) is a 404."""
    proposal = services.own(g.citizen, public_id)
    if proposal is None:
        abort(404)
    return proposal


# -- operator-assisted mode -----------------------------------------------------
@dataclass
class Helper:
    """The officer who filled a proposal at the kiosk, as shown to people:
    the role, and the name (receipt, owner and officer pages only)."""

    role: str
    name: str


def assisting_officer(proposal):
    """Helper for an assisted proposal, else None."""
    if proposal is None or proposal.assisted_by is None:
        return None
    from ..akun.models import Account  # webapp.akun stays optional here (see current_account)

    officer = Account.get_or_none(Account.id == proposal.assisted_by)
    if officer is None:
        return Helper(role="", name="")
    return Helper(role=str(roles.label(officer.role)), name=officer.name)


def is_assisting(proposal):
    """The signed-in account is the officer filling this assisted proposal."""
    citizen = g.get("citizen")
    return proposal.assisted_by is not None and citizen is not None and citizen.id == proposal.assisted_by


def desa_allowed(proposal, code):
    """An assisted proposal's domicile stays inside the helping officer's
    region (webapp.akun.roles.covers); any desa for a citizen's own."""
    if proposal.assisted_by is None:
        return True
    from ..akun.models import Account  # webapp.akun stays optional here (see current_account)

    officer = Account.get_or_none(Account.id == proposal.assisted_by)
    return officer is not None and roles.covers(officer, code)
