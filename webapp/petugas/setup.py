"""Plugs the officer area into the app: blueprint, commands, the import
task on the app's queue, and the second sign-in step."""

import logging

# The views join the blueprint when imported: importing them here (never in
# the package's __init__) keeps webapp.petugas free of import circles.
from . import (  # noqa: F401
    access,
    account_views,
    assisted_views,
    audit_views,
    auth,
    bp,
    dashboard,
    import_export_views,
    importer,
    objection_views,
    officer_views,
    pages,
    proposal_views,
    sms_views,
    tanggapan_views,
)
from .cli import petugas_group

log = logging.getLogger(__name__)


def _register_task(app):
    huey = app.extensions["huey"]

    @huey.task()
    def petugas_import(job_id):
        """Runs one registry import (webapp.petugas.importer.run_job)."""
        with app.app_context():
            try:
                importer.run_job(job_id)
            except Exception:  # the job row says "gagal"; the page must not break
                log.exception("import job %s failed", job_id)

    app.extensions["huey_tasks"]["petugas_import"] = petugas_import


def init_app(app):
    app.register_blueprint(bp)
    app.cli.add_command(petugas_group)
    _register_task(app)
    auth.install(app)
