# Production serving for one small server. Override with GUNICORN_CMD_ARGS,
# e.g. GUNICORN_CMD_ARGS="--workers 4".
import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", min(multiprocessing.cpu_count() * 2, 4)))
# Threads, not sync workers: a phone on a slow link can take a minute to send a
# 3 MB photo (400 kbps), and a sync worker would be stuck reading it — then
# killed by the timeout. With gthread a slow body occupies one thread while the
# worker's other threads (and its heartbeat) go on. The timeout below is the
# worker's heartbeat, not a limit on one request.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))


def _limit_malloc_arenas(count=2):
    """glibc gives each new thread its own malloc arena (up to 8 per core), and
    a threaded worker's memory then grows by arenas half empty. Two arenas
    keep a threaded worker's RSS near a sync worker's. Set here, in the master
    before it forks, so every worker inherits it (MALLOC_ARENA_MAX in the
    environment does the same when set before gunicorn starts)."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if name and "MALLOC_ARENA_MAX" not in os.environ:
        try:
            ctypes.CDLL(name).mallopt(-8, count)  # M_ARENA_MAX
        except (OSError, AttributeError):  # not glibc: nothing to limit
            pass


_limit_malloc_arenas()
timeout = 30
graceful_timeout = 20
keepalive = 5
# Load the app once before forking: workers share the code pages.
preload_app = True
# Recycle workers now and then as a guard against slow leaks, not so often
# that restarts show up under load.
max_requests = 20000
max_requests_jitter = 2000
accesslog = "-"
# No query strings in the access log: a GET never carries personal data here,
# but the log should not depend on that. The request id is the one the app
# sent back (X-Request-ID), so an access line matches the app's lines.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s'


class _AccessLogger(__import__("gunicorn.glogging", fromlist=["Logger"]).Logger):
    """gunicorn's logger, whose access line gathers only what the format
    above prints. gunicorn's own gathers every request header, response
    header and environ variable and the time in Apache's format for each
    line (~0.1 ms a request, as much as a cached region fragment's own work);
    the line is the same (tests/test_gunicorn_conf.py). A format changed by
    the operator (GUNICORN_CMD_ARGS) gets gunicorn's own gathering."""

    def atoms(self, resp, req, environ, request_time):
        if self.cfg.access_log_format != access_log_format:
            return super().atoms(resp, req, environ, request_time)
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        request_id = next((v for k, v in resp.headers if k.lower() == "x-request-id"), "-")
        return {"h": environ.get("REMOTE_ADDR", "-"), "m": environ.get("REQUEST_METHOD"),
                "U": environ.get("PATH_INFO"), "s": status,
                "b": getattr(resp, "sent", None) is not None and str(resp.sent) or "-",
                "M": (request_time.seconds * 1000) + int(request_time.microseconds / 1000),
                "{x-request-id}o": request_id}


logger_class = _AccessLogger
# Logging configured once, here, for gunicorn and the app alike (webapp.logs):
# one line per event with time, level, host and request id.
logconfig_dict = __import__("webapp.logs", fromlist=["config"]).config()
# gunicorn 25+ opens a control socket for `gunicornc` at one path per user
# ($XDG_RUNTIME_DIR or ~/.gunicorn/gunicorn.ctl), so a second server of the
# same user (a test server, another `make run`) takes it over from the first.
# Off, unless GUNICORN_CONTROL_SOCKET names a path for this instance.
_control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "").strip()
if _control_socket:
    control_socket = _control_socket
else:
    control_socket_disable = True
