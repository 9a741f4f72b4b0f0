"""Citizen accounts: registration, e-mail code, KTP photo and selfie, sign-in."""

from flask import Blueprint

bp = Blueprint("akun", __name__, url_prefix="/akun")
