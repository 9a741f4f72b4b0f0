"""The real app for benchmarks, plus one trivial route to compare against.

    gunicorn -c gunicorn.conf.py bench.app:app

Settings come from the environment like the real wsgi.py (FLASK_*), plus
BENCH_INSTANCE (the instance folder; on SQLite it holds the database file named
by FLASK_SQLITE_FILENAME). /_bench/ok goes through the whole app (database
connection per request, security headers, compression check) and does nothing
else; it exists only here, never in the real app.
"""

import os

from webapp import create_app


def make_app():
    app = create_app({"INSTANCE_PATH": os.environ["BENCH_INSTANCE"]})

    @app.get("/_bench/ok")
    def bench_ok():
        return "ok"

    return app


def write_tokens(app, count, path):
    """`count` fresh single-use captcha tokens, one a line (each lookup needs its own)."""
    from webapp.captcha.services import new_token

    with app.app_context(), open(path, "w") as f:
        for _ in range(count):
            f.write(new_token("image") + "\n")


app = make_app() if os.environ.get("BENCH_INSTANCE") else None
