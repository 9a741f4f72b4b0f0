"""Captcha: stateless challenges any worker can check, each usable once."""

from flask import Blueprint

bp = Blueprint("captcha", __name__, url_prefix="/captcha")
