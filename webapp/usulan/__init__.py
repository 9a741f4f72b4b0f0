"""Usulan: a signed-in citizen proposes a household for social assistance."""

from flask import Blueprint

bp = Blueprint("usulan", __name__, url_prefix="/usulan")
