"""Sanggahan: a citizen objects to a listed recipient, or withdraws themself."""

from flask import Blueprint

bp = Blueprint("sanggahan", __name__, url_prefix="/sanggahan")
