"""The job queue (huey) for slow work, so a page never waits on it.

Design: huey binds tasks to one Huey object, but one process may hold several
apps (tests build one per test, each with its own instance folder). So there
is no module-level queue. init_app(app) builds a Huey for that app -
SqliteHuey on <instance>/huey.sqlite3 by default, RedisHuey when REDIS_URL is
set - and registers the tasks on it as closures that run inside that app's
context, so a task reads the config of the app that queued it. Code enqueues
with `enqueue(name, *args)` and never touches huey itself.

The consumer is huey's own `huey_consumer webapp.tasks.huey`: asking this
module for `huey` builds the app as wsgi.py does (create_app()) and returns
its queue, so web workers and consumer share one configuration. Only the
consumer should ask for it.

HUEY_IMMEDIATE runs each task inline, in memory, with no consumer (default:
on when TESTING, else off). huey's delayed retries never fire in that mode,
so there every attempt counts as the last one.
"""

import os

from flask import current_app
from huey import RedisHuey, SqliteHuey

QUEUE_NAME = "cekbansos"


def _create_huey(app):
    immediate = app.config.get("HUEY_IMMEDIATE")
    if immediate is None:
        immediate = app.testing
    # No result store: nothing waits for a task's return value.
    options = {"results": False, "immediate": bool(immediate)}
    if app.config.get("REDIS_URL"):
        return RedisHuey(QUEUE_NAME, url=app.config["REDIS_URL"], **options)
    filename = os.path.join(app.instance_path, app.config["HUEY_SQLITE_FILENAME"])
    from .db import private_file

    private_file(filename)  # queued mail holds one-time codes
    return SqliteHuey(QUEUE_NAME, filename=filename, **options)


def _register_tasks(app, huey):
    config = app.config

    @huey.task(retries=config["MAIL_RETRIES"], retry_delay=config["MAIL_RETRY_DELAY"], retry_backoff=2,
               context=True)
    def deliver_mail(raw, task=None):
        """Sends one serialized message (webapp.mail.deliver)."""
        from . import mail

        with app.app_context():
            mail.deliver(raw, final=huey.immediate or not task.retries)

    return {"deliver_mail": deliver_mail}


def init_app(app):
    huey = _create_huey(app)
    app.extensions["huey"] = huey
    app.extensions["huey_tasks"] = _register_tasks(app, huey)


def enqueue(name: str, *args) -> None:
    """Runs the current app's task `name`: now in immediate mode, else in the consumer."""
    current_app.extensions["huey_tasks"][name](*args)


def __getattr__(name):
    # PEP 562: `huey_consumer webapp.tasks.huey` looks up this attribute.
    if name != "huey":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from . import create_app

    queue = create_app().extensions["huey"]
    globals()["huey"] = queue
    return queue
