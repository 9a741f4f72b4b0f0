"""The optional Redis connection (REDIS_URL), shared by the features that use it."""

import logging

from flask import current_app

log = logging.getLogger(__name__)


def get_redis():
    """A Redis client when REDIS_URL is set, else None. Callers must treat
    every Redis error as "not available" and degrade."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    client = current_app.extensions.get("redis_client")
    if client is None:
        import redis  # only on an installation with REDIS_URL

        client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        current_app.extensions["redis_client"] = client
    return client
