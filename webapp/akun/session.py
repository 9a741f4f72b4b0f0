"""Who is signed in. The signed cookie holds only the account's public id,
its session version and the sign-in time; never NIK, KK, role or codes."""

import time
from functools import wraps
from urllib.parse import urlsplit

from flask import current_app, g, redirect, request, session, url_for

from .models import Account

KEY = "akun"
# The account found for this request, kept in the WSGI environ: `g` lives as
# long as the app context, which a test (or CLI) may keep open across requests.
_CACHE = "cekbansos.akun.account"


def _forget_request_state():
    # Flask-WTF keeps the token it issued in `g`; after session.clear() that
    # token is no longer in the session, so a form rendered later would fail.
    g.pop("csrf_token", None)
    request.environ.pop(_CACHE, None)


def _clear_keeping_language():
    """Empties the session but keeps the language chosen in the footer: it
    is no secret, and signing in or out must not switch the page language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def sign_in(account):
    """A fresh session for `account`: whatever the cookie held before is gone
    (but the chosen language), so the cookie value changes at sign-in."""
    _clear_keeping_language()
    session[KEY] = {"id": account.public_id, "v": account.session_version, "t": int(time.time())}
    session.permanent = True
    _forget_request_state()


def sign_out(account):
    """Ends the session on the server: bumping the version makes every copy
    of the current cookie worthless."""
    if account is not None:
        Account.update(session_version=Account.session_version + 1).where(
            Account.id == account.id).execute()
    _clear_keeping_language()
    _forget_request_state()


def current_account():
    """The signed-in account, or None when the cookie is missing, revoked or
    past the absolute lifetime."""
    if _CACHE in request.environ:
        return request.environ[_CACHE]
    data = session.get(KEY)
    account = None
    if isinstance(data, dict) and isinstance(data.get("id"), str):
        age = time.time() - float(data.get("t") or 0)
        if 0 <= age <= current_app.permanent_session_lifetime.total_seconds():
            found = Account.get_or_none(Account.public_id == data["id"])
            if found is not None and found.session_version == data.get("v"):
                account = found
    if account is None and KEY in session:
        session.pop(KEY)
    request.environ[_CACHE] = account
    return account


def safe_next(target):
    """`target` when it is a path on this site, else None. Read as a browser
    would: browsers drop tab/CR/LF anywhere in a URL and treat "\\" as "/",
    so "/%09/evil.example" or "/\\evil.example" lead off-site. Any control
    character, a scheme, a host or a path starting "//" is refused; the
    result never holds a byte that cannot go in a Location header."""
    if not isinstance(target, str) or not target.startswith("/") or len(target) > 2000:
        return None
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return None
    seen = target.replace("\\", "/")
    parts = urlsplit(seen)
    if seen.startswith("//") or parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    return target


def login_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_account() is None:
            return redirect(url_for("akun.masuk", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped
