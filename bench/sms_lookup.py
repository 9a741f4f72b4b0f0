"""Cek Bansos by SMS through a real Kannel (issue 20): replies per second
from phone to app and back to the SMSC, and the app's CPU per SMS lookup.
Needs Debian's `kannel` (bearerbox, smsbox) and `kannel-extras` (fakesmsc).

    .venv/bin/python -m bench.sms_lookup [--messages 300] [--households 300]

A synthetic registry (Faker names, generated NIKs) on SQLite in a temporary
folder; the app is served in this process by Werkzeug's threaded server.
Mix: a third CEK of a registered NIK, a third CEK of an unknown NIK, a third
BANTUAN, each from its own number (no limit is hit). Prints Markdown."""

import argparse
import itertools
import logging
import tempfile
import threading
import time

from werkzeug.serving import make_server

from tests import kannel
from webapp import create_app
from webapp.db import create_schema
from webapp.registry.demo import Generator, examples
from webapp.registry.models import Person
from webapp.registry.regions import load_regions
from webapp.sms import gsm, services

SECRET = "bench-sms"  # noqa: S105 - a throwaway gateway on loopback


def build(folder, households):
    app = create_app({"INSTANCE_PATH": folder, "SECRET_KEY": "bench", "SMS_SERVICE_SECRET": SECRET,
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


def through_gateway(app, texts, folder):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://kannel:{SECRET}@127.0.0.1:{server.server_port}/sms/masuk"
    gateway = kannel.Gateway(f"{folder}/kannel", sms_service_url=url, send_interval=0.001).start()
    try:
        gateway.send_from_phone("628700000000", "1234", "BANTUAN")  # warm up
        gateway.wait_for("628700000000")
        gateway.clear()
        cpu, wall = time.process_time(), time.monotonic()
        for n, text in enumerate(texts):
            gateway.send_from_phone(f"62877{n:07d}", "1234", text)
        deadline = time.monotonic() + 120
        while len(gateway.received) < len(texts) and time.monotonic() < deadline:
            time.sleep(0.01)
        wall, cpu = time.monotonic() - wall, time.process_time() - cpu
        got = list(gateway.received)
    finally:
        gateway.stop()
        server.shutdown()
    return got, wall, cpu


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--households", type=int, default=300)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as folder:
        app, niks = build(folder, args.households)
        texts = messages(niks, args.messages)
        per_answer = in_process_cpu(app, messages(niks, args.messages))
        got, wall, cpu = through_gateway(app, texts, folder)
    parts = [gsm.parts(m.text) for m in got]
    print("| Figure | Value |\n|---|---|")
    print(f"| SMS from phones (a third each: found, not found, BANTUAN) | {len(texts)} |")
    print(f"| Replies that reached the SMSC | {len(got)} |")
    print(f"| Replies per second, phone → Kannel → app → Kannel → SMSC | {len(got) / wall:.1f} |")
    print(f"| App CPU per SMS over HTTP (Werkzeug, this process) | {cpu / max(len(got), 1) * 1000:.2f} ms |")
    print(f"| App CPU per answer() (no HTTP) | {per_answer * 1000:.2f} ms |")
    print(f"| Parts per reply: max / mean | {max(parts)} / {sum(parts) / len(parts):.2f} |")
    sample = next((m.text for m in got if "desil" in m.text), "")
    print(f"\nA found reply ({gsm.septets(sample)} septets, {gsm.parts(sample)} parts): {sample}")


if __name__ == "__main__":
    main()
