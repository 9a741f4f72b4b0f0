"""Captcha image, audio and a fresh challenge for the widget."""

from flask import abort, make_response, render_template, request

from ..security import limiter
from . import bp, media
from .services import PURPOSES, CaptchaError, answer_for, new_token, read_token


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


@bp.get("/<token>.mp3")
@limiter.limit("20 per minute")
def audio(token):
    """The audio alternative: an instruction, then the digits spoken twice
    over a little noise, as a small MP3. Served as a plain file so a text
    browser can download it and play it with any player."""
    answer, kind = _challenge(token)
    if kind != "audio" or not answer.isdigit() or not media.audio_available():
        abort(404)
    response = _private(make_response(media.mp3(answer)), media.MIME)
    response.headers["Content-Disposition"] = 'inline; filename="kode-suara.mp3"'
    return response


@bp.get("/baru")
def fresh():
    """A new challenge for the captcha widget (the refresh button, and the
    switch between picture and audio), for the form named by `untuk`."""
    kind = "audio" if request.args.get("jenis") == "audio" else "image"
    purpose = request.args.get("untuk", "cek")
    if purpose not in PURPOSES:
        abort(404)
    return render_template("captcha/widget.html", captcha_token=new_token(kind, purpose),
                           captcha_kind=kind, captcha_purpose=purpose, captcha_error=None,
                           audio_available=media.audio_available())
