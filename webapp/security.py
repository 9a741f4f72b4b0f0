"""Headers, CSRF, proxies and rate limits: the defaults every response gets."""

import logging

from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

log = logging.getLogger(__name__)

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])

# htmx is configured (meta htmx-config) so it injects no inline style and
# never evaluates code, which keeps this policy free of unsafe-*.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "media-src 'self'; connect-src 'self'; form-action 'self'; object-src 'none'; "
       "base-uri 'none'; frame-ancestors 'none'")


def set_headers(response):
    h = response.headers
    h.setdefault("Content-Security-Policy", CSP)
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("Referrer-Policy", "same-origin")
    h.setdefault("X-Frame-Options", "DENY")
    h.setdefault("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
    if current_app.config["HTTPS"]:
        h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    static = bool(request.endpoint) and request.endpoint.endswith("static") and response.status_code < 400
    if not static and "Cache-Control" not in h:
        # Pages may carry a captcha or personal data: never from a shared cache.
        # Error pages (404/405 have no endpoint) too: a shared cache must not
        # keep them.
        h["Cache-Control"] = "no-store"
    return response


def init_app(app):
    count = int(app.config["TRUSTED_PROXY_COUNT"] or 0)
    if count:
        # Trust exactly `count` proxies; anything further left in
        # X-Forwarded-For is the client's own claim and is ignored.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    app.config["SESSION_COOKIE_SECURE"] = bool(app.config["HTTPS"])
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    # If Redis is configured but down, fall back to in-process counters
    # instead of failing the request.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    csrf.init_app(app)
    limiter.init_app(app)
    app.after_request(set_headers)
