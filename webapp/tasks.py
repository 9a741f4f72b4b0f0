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

import logging
import os

from flask import current_app
from huey import RedisHuey, SqliteHuey, crontab

QUEUE_NAME = "cekbansos"


def _create_huey(app):
    immediate = app.config.get("HUEY_IMMEDIATE")
    if immediate is None:
        immediate = app.testing
    # No result store: nothing waits for a task's return value.
    options = {"results": False, "immediate": bool(immediate)}
    if app.config.get("REDIS_URL"):
        import redis

        # Short connect timeout: a page never hangs on a Redis that is down.
        pool = redis.ConnectionPool.from_url(app.config["REDIS_URL"], socket_connect_timeout=1,
                                             socket_timeout=5)
        return RedisHuey(QUEUE_NAME, connection_pool=pool, **options)
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

    @huey.periodic_task(crontab(minute="*"))
    def flush_pending_mail():
        """Queues mail kept while the queue was unreachable (it runs only
        when the queue works again)."""
        from . import mail

        consumer_log_filter.recovered()
        with app.app_context():
            mail.flush_pending()

    return {"deliver_mail": deliver_mail, "flush_pending_mail": flush_pending_mail}


def init_app(app):
    huey = _create_huey(app)
    app.extensions["huey"] = huey
    app.extensions["huey_tasks"] = _register_tasks(app, huey)


def queue_reachable(app=None) -> bool:
    """Whether jobs can be queued now: always for the SQLite queue and in
    immediate mode, a PING for Redis. For /healthz and for telling a person
    their code is delayed."""
    app = app or current_app
    huey = app.extensions["huey"]
    if huey.immediate or not app.config.get("REDIS_URL"):
        return True
    try:
        return bool(huey.storage.conn.ping())
    except Exception:  # noqa: BLE001 - any Redis error means "not reachable"
        return False


def enqueue(name: str, *args) -> None:
    """Runs the current app's task `name`: now in immediate mode, else in the consumer."""
    current_app.extensions["huey_tasks"][name](*args)


class QueueDownOnce(logging.Filter):
    """For the consumer's log: with Redis down huey logs "Error reading from
    queue" with a traceback every second. The first such error is logged in
    one line; the rest are dropped until the queue works again (the
    every-minute flush_pending_mail task runs only then and calls
    recovered())."""

    def __init__(self):
        super().__init__()
        self.down = False

    def filter(self, record):
        exc = record.exc_info[1] if record.exc_info else None
        if exc is None or not _is_connection_error(exc):
            return True
        if self.down:
            return False
        self.down = True
        record.msg = f"{record.getMessage()}: {type(exc).__name__}; job queue (Redis) unreachable, " \
                     "repeats are not logged until it works again"
        record.args, record.exc_info, record.exc_text = (), None, None
        return True

    def recovered(self):
        if self.down:
            self.down = False
            logging.getLogger("huey.consumer").warning("job queue (Redis) reachable again")


def _is_connection_error(exc):
    try:
        import redis
    except ImportError:  # pragma: no cover - redis is a dependency
        return False
    return isinstance(exc, (redis.ConnectionError, redis.TimeoutError, ConnectionError))


consumer_log_filter = QueueDownOnce()


def __getattr__(name):
    # PEP 562: `huey_consumer webapp.tasks.huey` looks up this attribute.
    if name != "huey":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from . import create_app

    queue = create_app().extensions["huey"]
    logging.getLogger("huey.consumer").addFilter(consumer_log_filter)
    globals()["huey"] = queue
    return queue
