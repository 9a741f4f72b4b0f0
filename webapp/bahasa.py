"""The language switch: a POST form in the footer, so it works without
JavaScript and changes nothing on a GET."""

from flask import Blueprint, current_app, redirect, request, session, url_for

from .akun.session import safe_next

bp = Blueprint("bahasa", __name__)


def _local(target):
    """Only a path on this site: never an open redirect, never a 500."""
    return safe_next(target) or url_for("cek.index")


@bp.post("/bahasa")
def choose():
    """Stores the chosen language in the session and goes back."""
    lang = request.form.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    return redirect(_local(request.form.get("next")), 303)
