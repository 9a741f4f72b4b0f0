"""One benchmark run: load (SQLite, SQLite + Redis nonces, PostgreSQL,
PostgreSQL + Redis nonces), page weight, import speed, Cek Bansos by SMS
through a real Kannel (bench.sms_lookup); prints everything as
Markdown. The databases come from bench.generate (run it first, see
docs/benchmarks.md); nothing here asserts, it only measures.

    .venv/bin/python -m bench.run_all --sqlite /tmp/bench/s10m/cekbansos.sqlite3 \
        --postgresql postgresql://postgres@127.0.0.1:5432/bench_10m
"""

import argparse
import platform
import subprocess
import sys

from bench import importspeed, load, pageweight, sms_lookup

REDIS = "redis://127.0.0.1:6379/15"


def versions():
    from importlib.metadata import version

    try:
        wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    except FileNotFoundError:  # only the load runs need it (make bench checks for it)
        wrk = "no wrk"
    sqlite = __import__("sqlite3").sqlite_version
    with open("/proc/cpuinfo") as f:
        cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "?")
    pkgs = ", ".join(f"{name} {version(name)}" for name in ("flask", "peewee", "gunicorn", "psycopg"))
    return (f"Python {platform.python_version()}, {pkgs}, SQLite {sqlite}, {wrk}; "
            f"{platform.platform()}; {cpu}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sqlite", help="SQLite file from bench.generate")
    p.add_argument("--postgresql", help="postgresql:// URL of a bench_* database from bench.generate")
    p.add_argument("--duration", type=int, default=15, help="seconds per endpoint")
    p.add_argument("--import-persons", type=int, default=200_000)
    p.add_argument("--no-redis", action="store_true", help="skip the Redis-nonce variants")
    p.add_argument("--sms-messages", type=int, default=1000,
                   help="SMS through Kannel for bench.sms_lookup (0: skip)")
    args = p.parse_args(argv)

    print(f"## Run\n\n{versions()}\n")
    page = None
    targets = [("sqlite", args.sqlite), ("postgresql", args.postgresql)]
    for backend, db in targets:
        if not db:
            continue
        for redis_url in (None,) if args.no_redis else (None, REDIS):
            before = None
            if page is None:
                def before(base, people, token_for):
                    return pageweight.measure(base, people[0], token_for)
            r = load.run(backend, db, args.duration, redis_url, before_load=before)
            if r["extra"]:
                page = r["extra"]
            print(load.report(r), flush=True)
    if page:
        print("## Page weight (cold cache)\n")
        print(pageweight.report(*page), flush=True)
    backends = tuple(b for b, db in targets if db)
    if backends and args.import_persons:
        print("## Import\n")
        print(importspeed.report(*importspeed.run(args.import_persons, backends)))
    if args.sms_messages:
        from tests import kannel

        if kannel.available():
            print(sms_lookup.report(*sms_lookup.run(args.sms_messages)), flush=True)
        else:
            print(f"## Cek Bansos by SMS\n\nSkipped: {kannel.missing_message()}\n")


if __name__ == "__main__":
    sys.exit(main())
