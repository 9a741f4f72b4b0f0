"""Usulan pages."""

from flask import Blueprint

from . import models  # noqa: F401 - registers the tables

bp = Blueprint("usulan", __name__, url_prefix="/usulan")
