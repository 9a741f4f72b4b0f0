"""How the way a visit is read moves bench.visit's ratio: the same server,
the same run, visits and cached fragments in alternating batches, read

1. uninterrupted (the server's CPU before and after a batch: bench.visit),
2. with a reading between the visit's steps, a few /proc files
   (bench.visit's step-by-step shares),
3. with the reading bench.visit took between steps before 2026-12-07
   (a scan of /proc for the workers and, on PostgreSQL, a new connection
   to list the backends, ~1–5 ms in which the server sits idle),
4. at a peak: visits from four clients at once against cached fragments
   from four clients at once (the server never idle; the clients share
   the machine's two cores with it).

    .venv/bin/python -m bench.visit_method [--backend postgresql] [--visits 200] [--root DIR]

--root serves another checkout (git worktree add DIR <commit>) with this
one's .venv, to read an older commit the same four ways.
"""

import argparse
import multiprocessing
import os

from bench.load import CAPTCHA, ROOT, SECRET, Server, database_env, free_port, samples
from bench.visit import STEPS, Browser, Laps, Meter, _frag, address, region_fields, visit

CLIENTS = 4
ROUNDS = 10


def _visits(args):
    base, first, people = args
    for i, person in enumerate(people):
        visit(base, address(first + i), person)


def _fragments(args):
    base, kec, count = args
    browser = Browser(base, "10.8.0.3")
    for _ in range(count):
        _frag(browser, kec, "desa")


class _OldReading:
    """Laps as bench.visit read them before: every reading lists the
    processes afresh (a scan of /proc, a PostgreSQL connection)."""

    def __init__(self, server, database):
        self.server, self.database, self.spent, self.last = server, database, 0.0, None

    def _now(self):
        return Meter(self.server, self.database).refresh().read()

    def start(self):
        self.last = self._now()

    def __call__(self, _step):
        now = self._now()
        self.spent += sum(seconds - self.last.get(pid, 0.0) for pid, seconds in now.items())
        self.last = now


def measure(backend, db, visits, root):
    database = db if backend == "postgresql" else None
    env = dict(os.environ, HOST="127.0.0.1", PORT=str(free_port()), WEB_CONCURRENCY="2",
               FLASK_SECRET_KEY=SECRET, FLASK_TESTING="true", FLASK_CAPTCHA_TEST_ANSWER=CAPTCHA,
               FLASK_TRUSTED_PROXY_COUNT="1", **database_env(backend, db))
    os.makedirs("/tmp/bench/visit", exist_ok=True)  # noqa: S108
    server = Server(env, "/tmp/bench/visit/gunicorn-method.log", root=root)  # noqa: S108
    try:
        people = samples(backend, db, n=visits + 20)
        kec = region_fields(people[0][0])["kecamatan"]
        for i in range(20):
            visit(server.base, f"10.9.0.{i + 1}", people[i])
        warm = Browser(server.base, "10.7.0.1")
        for desa, _name, _nik in people[20:]:
            regions = region_fields(desa)
            for level, target in STEPS:
                for _ in range(4):
                    _frag(warm, regions[level], target)
        meter = Meter(server, database)
        spent = dict.fromkeys(("uninterrupted", "read between steps", "read as before", "fragment",
                               "peak visit", "peak fragment"), 0.0)
        batch = max(CLIENTS, visits // ROUNDS // CLIENTS * CLIENTS)
        fragment_browser = Browser(server.base, "10.8.0.1")
        with multiprocessing.get_context("fork").Pool(CLIENTS) as pool:
            for r in range(ROUNDS):
                chunk = people[20:][(r * batch) % visits:][:batch] or people[20:20 + batch]
                first = 1 + r * 8 * batch  # each visit from an address of its own
                start = meter.refresh().read()
                for i, person in enumerate(chunk):
                    visit(server.base, address(first + i), person)
                spent["uninterrupted"] += meter.since(start)
                laps = Laps(meter.refresh())
                for i, person in enumerate(chunk):
                    laps.start()
                    visit(server.base, address(first + batch + i), person, laps)
                spent["read between steps"] += sum(laps.spent.values())
                old = _OldReading(server, database)
                for i, person in enumerate(chunk):
                    old.start()
                    visit(server.base, address(first + 2 * batch + i), person, old)
                spent["read as before"] += old.spent
                start = meter.refresh().read()
                for _ in range(6 * batch):
                    _frag(fragment_browser, kec, "desa")
                spent["fragment"] += meter.since(start)
                share = batch // CLIENTS
                start = meter.refresh().read()
                pool.map(_visits, [(server.base, first + (3 + c) * batch, chunk[c * share:(c + 1) * share])
                                   for c in range(CLIENTS)])
                spent["peak visit"] += meter.since(start)
                start = meter.refresh().read()
                pool.map(_fragments, [(server.base, kec, 6 * share) for _ in range(CLIENTS)])
                spent["peak fragment"] += meter.since(start)
        n = ROUNDS * batch
        return {kind: seconds / (6 * n if "fragment" in kind else n) for kind, seconds in spent.items()}
    finally:
        server.stop()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    p.add_argument("--db", help="as bench.visit's (generated by bench.visit when missing)")
    p.add_argument("--visits", type=int, default=200)
    p.add_argument("--root", default=ROOT, help="the checkout to serve (default: this one)")
    a = p.parse_args(argv)
    db = a.db or ("/tmp/bench/visit/cekbansos.sqlite3" if a.backend == "sqlite"  # noqa: S108
                  else "postgresql://postgres@127.0.0.1:5432/bench_visit")
    per = measure(a.backend, db, a.visits, os.path.abspath(a.root))
    fragment = per["fragment"]
    print(f"{a.backend}, {a.root}: cached fragment {fragment * 1000:.2f} ms")
    for kind in ("uninterrupted", "read between steps", "read as before"):
        print(f"  visit, {kind:20s} {per[kind] * 1000:6.2f} ms   {per[kind] / fragment:5.2f}x")
    print(f"  at a peak ({CLIENTS} clients at once): visit {per['peak visit'] * 1000:.2f} ms, fragment "
          f"{per['peak fragment'] * 1000:.2f} ms, {per['peak visit'] / per['peak fragment']:.2f}x")


if __name__ == "__main__":
    main()
