"""/healthz for a proxy or an orchestrator: can this host serve? Says whether
the database, Redis (when configured) and the job queue answer; nothing
personal, nothing about the installation beyond that. 200 when all answer,
503 otherwise. Never cached, never rate limited."""

from flask import Blueprint, current_app, jsonify

from .. import tasks
from ..db import flask_db
from ..redis_store import get_redis
from ..security import limiter

bp = Blueprint("health", __name__)

OK, FAILED, UNUSED = "ok", "gagal", "tidak dipakai"


def _database():
    db = flask_db.database
    try:
        with db.connection_context():
            db.execute_sql("SELECT 1")
    except Exception:  # noqa: BLE001 - any driver error means "not reachable"
        return FAILED
    return OK


def _redis():
    client = get_redis()
    if client is None:
        return UNUSED
    try:
        client.ping()
    except Exception:  # noqa: BLE001 - any client error means "not reachable"
        return FAILED
    return OK


def checks() -> dict:
    """{"basis_data", "redis", "antrean"}: "ok", "gagal" or "tidak dipakai"."""
    return {"basis_data": _database(), "redis": _redis(),
            "antrean": OK if tasks.queue_reachable(current_app) else FAILED}


@bp.get("/healthz")
@limiter.exempt
def healthz():
    result = checks()
    healthy = FAILED not in result.values()
    response = jsonify(status=OK if healthy else FAILED, **result)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
