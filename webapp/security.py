"""Headers, CSRF, proxies and rate limits: the defaults every response gets."""

import functools
import logging

from flask import abort, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from . import throttle

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


def _lookup_rule():
    return current_app.config["LOOKUP_RATE_LIMIT"]


def _counted_in_redis():
    """Flask-Limiter's counters are shared (Redis, from REDIS_URL or
    RATELIMIT_STORAGE_URI) rather than in each worker's memory."""
    return not str(current_app.config.get("RATELIMIT_STORAGE_URI") or "memory://").startswith("memory://")


def lookup_limit(exempt_when=None, methods=None, with_captcha=False):
    """LOOKUP_RATE_LIMIT on a lookup route (cek, status check, the API, the
    contract's forms), per route and client. With Redis, Flask-Limiter counts
    it there; without Redis its counters would be per worker (68 of 100
    answered for 20 per minute with four workers), so it is counted in the
    database instead, by the sign-in limit's rule (webapp.throttle): one
    indexed row per client and window.

    `with_captcha`: the view checks a captcha before it looks anything up
    (captcha.services.verify). The count then waits for that check and is
    written in the same transaction as the captcha's nonce: one commit a
    search instead of two. Over the limit, the nonce is left unused and the
    answer is 429, before any lookup. A view that returns before the check
    (a form with errors) is counted when it returns."""
    def exempt():
        return not _counted_in_redis() or bool(exempt_when and exempt_when())

    def decorate(view):
        limited = limiter.limit(_lookup_rule, methods=methods, exempt_when=exempt)(view)

        @functools.wraps(view)
        def counted(*args, **kwargs):
            if _counted_in_redis():
                return limited(*args, **kwargs)
            # Counted in the database; Flask-Limiter's limit is exempt here,
            # so its checks (~0.15 ms a lookup) are not run for nothing.
            if (methods is not None and request.method not in methods) or (exempt_when and exempt_when()):
                return view(*args, **kwargs)
            if not with_captcha:
                if _count():
                    abort(429)
                return view(*args, **kwargs)
            g.lookup_owed = True
            try:
                response = view(*args, **kwargs)
            finally:  # not counted with the nonce (no captcha check): counted now
                over = g.pop("lookup_owed", False) and _count()
            if over:
                abort(429)
            return response

        return counted

    return decorate


def _lookup_window():
    """(kind, address, limit) of this request's lookup count."""
    return f"lookup:{request.endpoint}", request.remote_addr, _lookup_rule()


def _count():
    """Counts this request's lookup; True when it is over the limit."""
    return throttle.count(*_lookup_window(), purge_chance=0.02)


def owed_lookup_over_limit():
    """Inside the captcha nonce's transaction (captcha.services, SQLite):
    counts the lookup this request owes (lookup_limit with_captcha), if it
    owes one; True when that count is over the limit."""
    return bool(g.pop("lookup_owed", False)) and _count()


def owed_lookup_then_insert(table, row):
    """PostgreSQL: counts the lookup this request owes, if it owes one, and,
    unless that count is over the limit, inserts `row` into `table` (the
    captcha's nonce), in one statement (throttle.count_then_insert).
    Returns (over the limit, row inserted)."""
    owed = bool(g.pop("lookup_owed", False))
    return throttle.count_then_insert(*_lookup_window(), table, row, counted=owed, purge_chance=0.02)
