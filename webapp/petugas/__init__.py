"""Officers (petugas): queues and decisions by region, TOTP sign-in, registry
import and export, audit log and dashboard (issue #5).

The blueprint lives here; each *_views module imports it and adds its pages,
and webapp.petugas.setup registers them all. Module map: docs/architecture.md."""

from flask import Blueprint

bp = Blueprint("petugas", __name__, url_prefix="/petugas")
