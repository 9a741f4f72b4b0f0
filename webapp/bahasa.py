"""The language switch: a POST form in the footer, so it works without
JavaScript and changes nothing on a GET."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, request, session, url_for

bp = Blueprint("bahasa", __name__)


def _local(target):
    """Only a path on this site: never an open redirect."""
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not (target or "").startswith("/") or target.startswith("//"):
        return url_for("cek.index")
    return target


@bp.post("/bahasa")
def choose():
    """Stores the chosen language in the session and goes back."""
    lang = request.form.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    return redirect(_local(request.form.get("next")), 303)
