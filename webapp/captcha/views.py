"""Captcha image, audio and a fresh challenge for the widget."""

from flask import Blueprint, abort, make_response, render_template, request

from ..security import limiter
from . import media
from .services import CaptchaError, answer_for, new_token, read_token

bp = Blueprint("captcha", __name__, url_prefix="/captcha")


def _challenge(token):
    try:
        nonce, kind = read_token(token)
    except CaptchaError:
        abort(404)
    return answer_for(nonce, kind), kind


def _private(response, mimetype):
    response.mimetype = mimetype
    response.headers["Cache-Control"] = "private, max-age=600"
    return response


@bp.get("/<token>.png")
@limiter.limit("60 per minute")
def image(token):
    """The challenge drawn as a small PNG."""
    answer, _kind = _challenge(token)
    return _private(make_response(media.png(answer)), "image/png")


@bp.get("/<token>.wav")
@limiter.limit("20 per minute")
def audio(token):
    """The audio alternative: the digits spoken over noise."""
    answer, kind = _challenge(token)
    if kind != "audio" or not answer.isdigit() or not media.audio_available():
        abort(404)
    return _private(make_response(media.wav(answer)), "audio/wav")


@bp.get("/baru")
def fresh():
    """A new challenge for the captcha widget (the refresh button, and the
    switch between picture and audio)."""
    kind = "audio" if request.args.get("jenis") == "audio" else "image"
    return render_template("captcha/widget.html", captcha_token=new_token(kind),
                           captcha_kind=kind, captcha_error=None,
                           audio_available=media.audio_available())
