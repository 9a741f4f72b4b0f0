"""The job queue (huey) for slow work, so a page never waits on it.

Design: huey binds tasks to one Huey object, but one process may hold several
apps (tests build one per test, each with its own instance folder). So there
is no module-level queue. init_app(app) builds a Huey for that app and
registers the tasks on it as closures that run inside that app's context, so
a task reads the config of the app that queued it. Code enqueues with
`enqueue(name, *args)` and never touches huey itself.

Where the queue lives, so that every host sees one queue:
- REDIS_URL set: RedisHuey on that server;
- else DATABASE_URL on PostgreSQL: huey's SQL storage (tables kv, schedule,
  task in the app's database, dequeued with FOR UPDATE SKIP LOCKED);
- else (one host, SQLite): SqliteHuey on <instance>/huey.sqlite3.

Periodic jobs (PERIODIC below: purge, sweep-uploads; others add theirs
there) run exactly once per slot however many consumers run a scheduler:
each run first claims (job, slot) in the periodic_run table, whose unique key
lets one consumer in and turns every other one away.

The consumer is huey's own `huey_consumer webapp.tasks.huey`: asking this
module for `huey` builds the app as wsgi.py does (create_app(), handed over
as `app_factory` by the factory itself) and returns
its queue, so web workers and consumer share one configuration. Only the
consumer should ask for it.

HUEY_IMMEDIATE runs each task inline, in memory, with no consumer (default:
on when TESTING, else off). huey's delayed retries never fire in that mode,
so there every attempt counts as the last one.
"""

import logging
import os
from datetime import datetime

from flask import current_app
from huey import RedisHuey, SqliteHuey, crontab
from peewee import CharField, DateTimeField, IntegrityError

from . import clock
from .db import BaseModel, after_schema, private_file, register

log = logging.getLogger(__name__)

QUEUE_NAME = "cekbansos"


@register
class PeriodicRun(BaseModel):
    """One row per periodic job and slot (e.g. "purge", "2026-12-01"): the
    claim that lets exactly one consumer run it."""

    job = CharField(max_length=40)
    slot = CharField(max_length=40)
    at = DateTimeField(default=datetime.now)

    class Meta:
        table_name = "periodic_run"
        indexes = ((("job", "slot"), True),)


def immediate(app):
    """Whether this app runs jobs inline (no consumer can serve it)."""
    value = app.config.get("HUEY_IMMEDIATE")
    return app.testing if value is None else bool(value)


def storage_kind(app):
    if app.config.get("REDIS_URL"):
        return "redis"
    url = app.config.get("DATABASE_URL") or ""
    if url.partition("://")[0].split("+")[0] in ("postgres", "postgresql"):
        return "sql"
    return "sqlite"


def _queue_tables(db):
    create_queue_tables(current_app)


_queue_tables.own_transaction = True  # after the others, outside their transaction
after_schema(_queue_tables)


def create_queue_tables(app):
    """The SQL queue's tables (kv, schedule, task), when this installation
    queues in PostgreSQL; called by create_schema() (`flask init-db`,
    `flask setup`), never at start: no connection may open before gunicorn
    forks its workers."""
    if storage_kind(app) == "sql":
        from huey.contrib.sql_huey import SqlStorage  # the SQL queue only (PostgreSQL, no Redis)

        SqlStorage(QUEUE_NAME, database=app.config["DATABASE"], create_tables=True)


def _create_huey(app):
    # No result store: nothing waits for a task's return value. In immediate
    # mode huey keeps the queue in memory and never opens the storage below.
    options = {"results": False, "immediate": immediate(app)}
    kind = storage_kind(app)
    if kind == "redis":
        import redis  # only with REDIS_URL

        # Short connect timeout: a page never hangs on a Redis that is down.
        pool = redis.ConnectionPool.from_url(app.config["REDIS_URL"], socket_connect_timeout=1,
                                             socket_timeout=5)
        return RedisHuey(QUEUE_NAME, connection_pool=pool, **options)
    if kind == "sql" and not options["immediate"]:
        # On the app's own pooled database: a web worker's enqueue uses the
        # request's connection (inside a transaction it commits with it).
        # The SQL queue only (PostgreSQL, no Redis)
        from huey import Huey
        from huey.contrib.sql_huey import SqlStorage

        return Huey(QUEUE_NAME, storage_class=SqlStorage, database=app.config["DATABASE"],
                    create_tables=False, **options)
    filename = os.path.join(app.instance_path, app.config["HUEY_SQLITE_FILENAME"])
    private_file(filename)  # queued mail holds one-time codes
    return SqliteHuey(QUEUE_NAME, filename=filename, **options)


# name → the function a task runs, registered by the module that owns the
# work (mail, delivery.sms, petugas.objections) with @handler(name): the queue
# never imports a feature, so no feature ↔ queue import circle.
_handlers = {}


def handler(name):
    def register(fn):
        _handlers[name] = fn
        return fn
    return register


# Set by the app factory (webapp/__init__.py) when it is imported, which
# happens before this module is (it is the parent package): the consumer's
# `huey` below builds the app through it without importing the factory.
app_factory = None


def _register_tasks(app, huey):
    config = app.config

    @huey.task(retries=config["MAIL_RETRIES"], retry_delay=config["MAIL_RETRY_DELAY"], retry_backoff=2,
               context=True)
    def deliver_mail(raw, task=None):
        """Sends one serialized message (webapp.mail.deliver)."""
        with app.app_context():
            _handlers["deliver_mail"](raw, final=huey.immediate or not task.retries)

    @huey.periodic_task(crontab(minute=str(config["SANGGAHAN_LAPSE_MINUTE"])))
    def objection_deadlines():
        """The day-14 rule, hourly (webapp.petugas.objections.apply_objection_deadlines).
        Periodic tasks are scheduled by the consumer, and exactly one runs."""
        with app.app_context():
            _handlers["objection_deadlines"]()

    @huey.task(retries=config["SMS_RETRIES"], retry_delay=config["SMS_RETRY_DELAY"], retry_backoff=2,
               context=True)
    def deliver_sms(number, text, task=None):
        """Hands one SMS to Kannel (webapp.delivery.sms.deliver)."""
        with app.app_context():
            _handlers["deliver_sms"](number, text, final=huey.immediate or not task.retries)

    @huey.periodic_task(crontab(minute="*"))
    def flush_pending_mail():
        """Queues mail kept while the queue was unreachable (it runs only
        when the queue works again)."""
        consumer_log_filter.recovered()
        with app.app_context():
            _handlers["flush_pending_mail"]()

    return {"deliver_mail": deliver_mail, "deliver_sms": deliver_sms,
            "objection_deadlines": objection_deadlines, "flush_pending_mail": flush_pending_mail}


def claim(job: str, slot: str) -> bool:
    """True for the first caller of (job, slot) on the whole installation,
    False for every later one (another consumer's scheduler, a retry)."""
    db = PeriodicRun._meta.database
    try:
        with db.atomic():
            PeriodicRun.create(job=job, slot=slot)
    except IntegrityError:
        return False
    return True


def _daily(now):
    return now.strftime("%Y-%m-%d")


# name → (when, slot of a run, what). Times are UTC (huey's default, utc=True),
# and a run's slot is its UTC date (webapp/clock.py), the same on every host.
# The module owning the job adds it with periodic(name, when) on a function
# taking no arguments (retention.py: purge, sweep_uploads).
PERIODIC = {}


def periodic(name, when, slot_of=_daily):
    def register(fn):
        PERIODIC[name] = (when, slot_of, fn)
        return fn
    return register


def run_periodic(app, name, now=None):
    """Runs periodic job `name` unless another consumer already ran this slot.
    Returns whether it ran here."""
    _when, slot_of, job = PERIODIC[name]
    with app.app_context():
        slot = slot_of(now or clock.utcnow())
        if not claim(name, slot):
            log.info("periodic %s %s already run elsewhere", name, slot)
            return False
        job()
        log.info("periodic %s %s done", name, slot)
        return True


def _register_periodic(app, huey):
    tasks = {}
    for name, (when, _slot_of, _job) in PERIODIC.items():
        def runner(name=name):
            run_periodic(app, name)

        runner.__name__ = f"periodic_{name}"
        tasks[f"periodic_{name}"] = huey.periodic_task(when, name=f"periodic_{name}")(runner)
    return tasks


def init_app(app):
    huey = _create_huey(app)
    app.extensions["huey"] = huey
    app.extensions["huey_tasks"] = {**_register_tasks(app, huey), **_register_periodic(app, huey)}


def queue_reachable(app=None) -> bool:
    """Whether the queue's storage answers (for /healthz). Immediate mode has
    no storage to lose: always True."""
    app = app or current_app
    huey = app.extensions["huey"]
    if huey.immediate:
        return True
    try:
        huey.storage.queue_size()
    except Exception:  # noqa: BLE001 - Redis, PostgreSQL or a file: any failure means "not reachable"
        return False
    return True


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
        import redis  # as in _create_huey: only where Redis is used
    except ImportError:  # pragma: no cover - redis is a dependency
        return False
    return isinstance(exc, (redis.ConnectionError, redis.TimeoutError, ConnectionError))


consumer_log_filter = QueueDownOnce()


def __getattr__(name):
    # PEP 562: `huey_consumer webapp.tasks.huey` looks up this attribute.
    if name != "huey":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    # The consumer's own logging, set up only in `huey_consumer`
    import logging.config

    from . import logs

    if not logging.getLogger().handlers:  # not when a host process (a test run) has its own
        logging.config.dictConfig(logs.config(consumer=True))  # the web side: gunicorn.conf.py
    queue = app_factory().extensions["huey"]
    logging.getLogger("huey.consumer").addFilter(consumer_log_filter)
    globals()["huey"] = queue
    return queue
