"""Cek Bansos by SMS through a real Kannel (issue 20): replies per second
from phone to app and back to the SMSC, and the app's CPU per SMS lookup.
Needs Debian's `kannel` (bearerbox, smsbox) and `kannel-extras` (fakesmsc).

    .venv/bin/python -m bench.sms_lookup [--messages 300] [--households 300]

A synthetic registry (Faker names, generated NIKs) on SQLite in a temporary
folder; the app is served by gunicorn with gunicorn.conf.py (its own workers
and threads, as `make run` starts it behind nginx), a separate process, and
Kannel's sms-service posts to it. fakesmsc types the SMS from phones every
`--interval` seconds. The app's CPU is the utime + stime of the gunicorn
workers over the run, divided by the replies. Mix: a third CEK of a
registered NIK, a third CEK of an unknown NIK, a third BANTUAN, each from its
own number (no limit is hit). Prints Markdown."""

import argparse
import itertools
import os
import tempfile
import time

from bench import load
from tests import kannel
from webapp import create_app
from webapp.db import close_all
from webapp.migrations import create_schema
from webapp.registry.demo import Generator, examples
from webapp.registry.models import Person
from webapp.registry.regions import load_regions
from webapp.sms import gsm, services

SECRET = "bench-sms"  # noqa: S105 - a throwaway gateway on loopback
KEY = "bench-sms-key"  # noqa: S105 - the bench app's own key


def build(folder, households):
    app = create_app({"INSTANCE_PATH": folder, "SECRET_KEY": KEY, "SMS_SERVICE_SECRET": SECRET,
                      "SMS_LOOKUP_LIMIT": "1000 per hour", "TESTING": True})
    with app.app_context():
        create_schema()
        load_regions()
        Generator(seed=7).run(households)
        niks = [nik for (nik,) in Person.select(Person.nik).limit(200).tuples()]
        found = [row[1] for row in examples(limit=1)]
    return app, found + niks


def messages(niks, count):
    unknown = (f"327606150899{n % 9000 + 1000:04d}" for n in itertools.count())
    texts = []
    for n in range(count):
        kind = n % 3
        texts.append(f"CEK {niks[n % len(niks)]}" if kind == 0 else
                     f"CEK {next(unknown)}" if kind == 1 else "BANTUAN")
    return texts


def in_process_cpu(app, texts):
    """CPU seconds per answer() (parse, limits, lookup, reply, one row written)."""
    with app.test_request_context():
        start = time.process_time()
        for n, text in enumerate(texts):
            services.answer(f"62899{n:07d}", text)
        return (time.process_time() - start) / len(texts)


def _cpu_seconds(pids):
    """utime + stime of each pid in `pids` (a worker that ended keeps its last figure)."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            out[pid] = (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            continue
    return out


def gunicorn(folder, log_path):
    """gunicorn -c gunicorn.conf.py bench.app:app with gunicorn.conf.py's own
    workers and threads (what deploy/serve.sh, i.e. `make run`, starts behind
    nginx); Kannel posts to it on loopback."""
    env = {k: v for k, v in os.environ.items() if k not in ("WEB_CONCURRENCY", "GUNICORN_CMD_ARGS")}
    env.update(HOST="127.0.0.1", PORT=str(load.free_port()), BENCH_INSTANCE=folder, FLASK_SECRET_KEY=KEY,
               FLASK_SMS_SERVICE_SECRET=SECRET)
    return load.Server(env, log_path)


def through_gateway(folder, texts, interval):
    """(replies, seconds, CPU seconds of the gunicorn workers, workers)."""
    server = gunicorn(folder, f"{folder}/gunicorn.log")
    url = f"http://kannel:{SECRET}@{server.base.removeprefix('http://')}/sms/masuk"
    gateway = kannel.Gateway(f"{folder}/kannel", sms_service_url=url, send_interval=interval).start()
    try:
        for n in range(8):  # warm up every worker
            gateway.send_from_phone(f"6287000000{n:02d}", "1234", "BANTUAN")
        deadline = time.monotonic() + 30
        while len(gateway.received) < 8 and time.monotonic() < deadline:
            time.sleep(0.05)
        gateway.clear()
        pids = set(server.workers())
        before = _cpu_seconds(pids)
        wall = time.monotonic()
        for n, text in enumerate(texts):
            gateway.send_from_phone(f"62877{n:07d}", "1234", text)
        deadline = time.monotonic() + 30 + len(texts) * 0.2
        while len(gateway.received) < len(texts) and time.monotonic() < deadline:
            pids.update(server.workers())  # a recycled worker (max_requests) is replaced
            time.sleep(0.01)
        wall = time.monotonic() - wall
        pids.update(server.workers())
        after = _cpu_seconds(pids)
        got = list(gateway.received)
    finally:
        gateway.stop()
        server.stop()
    if len(after) < len(pids):
        print(f"(note: {len(pids) - len(after)} worker(s) ended during the run; their CPU is not counted)")
    cpu = sum(after[p] - before.get(p, 0) for p in after)
    return got, wall, cpu, len(before)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--households", type=int, default=300)
    parser.add_argument("--interval", type=float, default=0.0,
                        help="seconds between SMS from phones (fakesmsc -i)")
    args = parser.parse_args(argv)
    print(report(*run(args.messages, args.households, args.interval)))


def run(count=300, households=300, interval=0.0):
    with tempfile.TemporaryDirectory() as folder:
        app, niks = build(folder, households)
        texts = messages(niks, count)
        per_answer = in_process_cpu(app, messages(niks, count))
        close_all()
        got, wall, cpu, workers = through_gateway(folder, texts, interval)
    return texts, got, wall, cpu, workers, per_answer, interval


def report(texts, got, wall, cpu, workers, per_answer, interval):
    parts = [gsm.parts(m.text) for m in got] or [0]
    sample = next((m.text for m in got if "desil" in m.text), "")
    return "\n".join((
        "## Cek Bansos by SMS (bench/sms_lookup.py)\n",
        "| Figure | Value |\n|---|---|",
        f"| SMS from phones (a third each: found, not found, BANTUAN; fakesmsc every {interval * 1000:g} ms)"
        f" | {len(texts)} |",
        f"| Replies that reached the SMSC | {len(got)} |",
        f"| Replies per second, phone → Kannel → app (gunicorn, {workers} workers) → Kannel → SMSC"
        f" | {len(got) / wall:.1f} |",
        f"| App CPU per SMS (gunicorn workers' CPU / replies) | {cpu / max(len(got), 1) * 1000:.2f} ms |",
        f"| App CPU per answer() alone (no HTTP, one process) | {per_answer * 1000:.2f} ms |",
        f"| Parts per reply: max / mean | {max(parts)} / {sum(parts) / len(parts):.2f} |",
        f"\nA found reply ({gsm.septets(sample)} septets, {gsm.parts(sample)} parts): {sample}\n"))


if __name__ == "__main__":
    main()
