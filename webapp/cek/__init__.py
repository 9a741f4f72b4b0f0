"""Cek Bansos: anyone looks up whether a person receives social assistance."""

from flask import Blueprint

bp = Blueprint("cek", __name__)
