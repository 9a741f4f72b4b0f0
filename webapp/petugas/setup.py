"""Plugs the officer area into the app: blueprint, commands, the import
task on the app's queue, and the second sign-in step."""

import logging

log = logging.getLogger(__name__)


def _register_task(app):
    huey = app.extensions["huey"]

    @huey.task()
    def petugas_import(job_id):
        """Runs one registry import (webapp.petugas.importer.run_job)."""
        from . import importer

        with app.app_context():
            try:
                importer.run_job(job_id)
            except Exception:  # the job row says "gagal"; the page must not break
                log.exception("import job %s failed", job_id)

    app.extensions["huey_tasks"]["petugas_import"] = petugas_import


def init_app(app):
    from . import auth, sms_views  # noqa: F401 - sms_views: its page on bp
    from .cli import petugas_group
    from .views import bp

    app.register_blueprint(bp)
    app.cli.add_command(petugas_group)
    _register_task(app)
    auth.install(app)
