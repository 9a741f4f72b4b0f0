"""Who may enter the officer area and each of its pages: the signed-in
officer who passed the second factor (current_officer), the decorators every
officer view wears (officer_required, verifier_required), and what the
officer's menu shows (petugas_may). The role rules are webapp.akun.roles."""

from functools import wraps

from flask import abort, g, redirect, request, session, url_for

from ..akun import roles
from ..akun.session import current_account
from . import bp, officers
from .models import OfficerProfile

VERIFIED = "petugas_2fa"  # the session holds the officer's public id once the TOTP step passed


def current_officer():
    """The signed-in officer who passed the second factor, or None."""
    account = current_account()
    if not roles.is_officer(account) or session.get(VERIFIED) != account.public_id:
        return None
    profile = OfficerProfile.get_or_none(OfficerProfile.account == account.id)
    return account if profile is not None and profile.active else None


def officer_required(*allowed):
    """Officers only (any role, or one of `allowed`). Signed out → sign in;
    a citizen or an officer without the second factor → 403."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if current_account() is None:
                return redirect(url_for("akun.masuk", next=request.full_path.rstrip("?")))
            officer = current_officer()
            if officer is None or (allowed and officer.role not in allowed):
                abort(403)
            g.officer = officer
            return view(*args, **kwargs)

        return wrapped

    return decorate


def verifier_required(view):
    """Officers who verify accounts in this installation (roles.account_roles:
    a setting, so checked per request); others get 403."""

    @wraps(view)
    def checked(*args, **kwargs):
        if not roles.may_verify_accounts(g.officer):
            abort(403)
        return view(*args, **kwargs)

    return officer_required()(checked)


def menu(officer):
    role = officer.role
    return {"accounts": roles.may_verify_accounts(officer), "objections": role in roles.OBJECTION_ROLES,
            "import": role in roles.IMPORT_ROLES, "audit": role in roles.AUDIT_ROLES,
            "musyawarah": role in roles.MUSYAWARAH_ROLES, "tanggapan": role in roles.TANGGAPAN_ROLES,
            "officers": officers.may_manage(officer), "sms": role in roles.SMS_ROLES}


@bp.app_template_global()
def petugas_may():
    """What the officer's menu shows (a global, so imported macros see it)."""
    return menu(g.officer) if g.get("officer") else {}
