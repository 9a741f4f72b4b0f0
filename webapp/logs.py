"""Logging, configured once: gunicorn's `logconfig_dict` (gunicorn.conf.py)
takes config() below, so the app's INFO lines, gunicorn's own and its access
log all go to stderr as one line per event:

    2026-12-01 22:05:01,123 INFO web-1 3f2a9c0e5b7d41c8 webapp.akun.services: account registered id=12

time, level, host (LOG_HOST, else the machine's name), request id (the
proxy's X-Request-ID when it is a sane token, else one made here; sent back
in the response's X-Request-ID; "-" outside a request) and the logger.

Nothing personal is logged by the code (SECURITY.md 25; tests/logscan.py
checks every line the suite produces). As a second guard the formatter blanks
any standalone 16-digit number (NIK, KK) and keeps a traceback on its line.
"""

import logging
import os
import re
import secrets
import socket

from flask import g, has_request_context, request

_SIXTEEN_DIGITS = re.compile(r"(?<![0-9A-Za-z])\d{16}(?![0-9A-Za-z])")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
FORMAT = "%(asctime)s %(levelname)s %(host)s %(request_id)s %(name)s: %(message)s"


def host_name():
    return os.environ.get("LOG_HOST") or socket.gethostname()


class ContextFilter(logging.Filter):
    """Adds `host` and `request_id` to every record."""

    def __init__(self, name=""):
        super().__init__(name)
        self.host = host_name()

    def filter(self, record):
        record.host = self.host
        record.request_id = "-"
        if has_request_context():
            record.request_id = g.get("request_id", "-")
        return True


class OneLineFormatter(logging.Formatter):
    """One line per event, and never a NIK-shaped number."""

    def format(self, record):
        text = super().format(record)
        text = _SIXTEEN_DIGITS.sub("[16 digit]", text)
        return text.replace("\r", "").replace("\n", " \\n ")


def config(level="INFO", consumer=False):
    """The dictConfig for gunicorn's logconfig_dict, and for the consumer
    (`huey_consumer` then adds its own handler on "huey", whose lines are
    therefore not passed on to ours a second time)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": ContextFilter}},
        "formatters": {"line": {"()": OneLineFormatter, "format": FORMAT}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
                                "formatter": "line", "filters": ["context"]}},
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            # gunicorn's loggers keep their own level but write through ours.
            "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
            "huey": {"level": "INFO", "propagate": not consumer},
            "peewee": {"level": "WARNING"},
        },
    }


def _request_id():
    given = request.headers.get("X-Request-ID", "")
    return given if _REQUEST_ID.fullmatch(given) else secrets.token_hex(8)


def init_app(app):
    @app.before_request
    def _remember_request_id():
        g.request_id = _request_id()

    @app.after_request
    def _send_request_id(response):
        response.headers["X-Request-ID"] = g.get("request_id") or _request_id()
        return response
