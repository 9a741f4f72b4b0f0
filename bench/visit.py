"""What one person's whole lookup costs the server, and the search POST
against a minimal lookup.

1. From outside (a real gunicorn, bench.app, 2 workers): one complete visit
   is the page, its captcha image (inline in the page since #19, fetched
   when the page names a URL), the region fragments (kabupaten, kecamatan,
   and desa unless the kecamatan fragment brought the desa lists along, as
   it does since #19) and the htmx search POST, exactly as a browser sends them
   (CSRF on, the image's single-use token, rate limits on: every visit comes
   from its own address through TRUSTED_PROXY_COUNT=1). The server's CPU
   (every thread's time on a processor, /proc/<pid>/task/*/schedstat, of
   the master and every worker, and on PostgreSQL of the database backends
   serving them; the processes listed between batches, see Meter) is read
   before and after N visits, then again before and after N cached region
   fragments (in twenty alternating batches of each); the ratio is per visit
   over per fragment, printed with its spread batch by batch. Where a visit
   goes step by step comes from more visits, read between their steps. The trivial
   route (/_bench/ok) is read in the same batches: what any request costs
   before the app's own work, which each of the visit's four requests pays.
2. In one process (Flask test client, time.process_time): the htmx search
   POST and the no-JS full-page POST against a minimal lookup that does the
   same database work through the same app (signature check, nonce insert,
   the indexed person query, the enrollment query, a small HTML answer).
   The minimal lookup lives here only, never in the real app.

    .venv/bin/python -m bench.visit --db /tmp/bench/visit/cekbansos.sqlite3 [--visits 100]
    .venv/bin/python -m bench.visit --backend postgresql --db postgresql://postgres@127.0.0.1:5432/bench_10m
    git worktree add /tmp/before <commit> && .venv/bin/python -m bench.visit --before /tmp/before

With --before DIR, an older checkout (sharing this one's .venv) is served
beside this one and both are measured side by side, their batches
alternating, the before/after figures of docs/benchmarks.md in one run.
"""

import argparse
import ast
import json
import os
import random
import re
import subprocess
import sys
import time
import urllib.request
from html import unescape
from urllib.parse import urlencode

from bench import pageweight
from bench.load import CAPTCHA, ROOT, SECRET, Server, database_env, free_port, memory, region_fields, samples

CLK = os.sysconf("SC_CLK_TCK")
# (level chosen, the select its fragment fills): the three fragments of a visit.
STEPS = (("provinsi", "kabupaten"), ("kabupaten", "kecamatan"), ("kecamatan", "desa"))


HTMX = {"HX-Request": "true"}
ROUNDS = 20  # batches of visits, each followed by six times as many cached fragments


def address(i):
    """The i-th visitor's own address (the rate limit counts each apart)."""
    return f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"


def _cpu(pid, children=True):
    """CPU seconds of `pid` so far: the time each of its threads has spent on
    a processor (/proc/<pid>/task/*/schedstat, in nanoseconds: user and
    system alike), plus, with `children`, its reaped children's user+system
    (/proc/<pid>/stat, in clock ticks: a worker that gunicorn replaced). 0
    for a process gone meanwhile. The nanoseconds, not stat's 10 ms ticks:
    a batch of twenty visits is ~0.3 s of CPU, which ticks read to ±7 %."""
    try:
        spent = 0
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                    spent += int(f.read().split()[0])
            except OSError:  # a thread that ended meanwhile
                pass
        reaped = 0
        if children:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            reaped = int(fields[13]) + int(fields[14])  # cutime cstime
    except OSError:
        return 0.0
    return spent / 1e9 + reaped / CLK


class Meter:
    """Server CPU read from /proc: gunicorn's master and workers (their
    reaped children included) and, on PostgreSQL, the backends serving them
    (pooled, so they live through the run), which do the queries' work in
    processes of their own. The processes are listed by refresh(), between
    batches: a reading is then a few /proc files, not a scan of /proc and a
    new database connection (~5 ms during which the server sat idle, so
    that the request after it cost more; readings between a visit's steps
    made each step dearer, on PostgreSQL by ~0.3 of a fragment)."""

    def __init__(self, server, database=None):
        self.server, self.database, self.pids = server, database, ()

    def refresh(self):
        backends = []
        if self.database:
            import psycopg  # the PostgreSQL driver, only for a PostgreSQL registry

            base, name = self.database.rsplit("/", 1)
            with psycopg.connect(f"{base}/postgres") as c:
                query = "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
                backends = [pid for (pid,) in c.execute(query, (name,))]
        self.pids = [(pid, True) for pid in [self.server.proc.pid, *self.server.workers()]]
        self.pids += [(pid, False) for pid in backends]
        return self

    def read(self):
        """{pid: CPU seconds so far} of the processes listed."""
        return {pid: _cpu(pid, children) for pid, children in self.pids}

    def since(self, start):
        """CPU seconds spent since reading `start`, listing the processes
        afresh first (a backend or worker that came meanwhile counts whole)."""
        end = self.refresh().read()
        return sum(seconds - start.get(pid, 0.0) for pid, seconds in end.items())


class Browser:
    """Cookies and the address one visitor comes from."""

    def __init__(self, base, address):
        self.base, self.cookies, self.address = base, {}, address

    def request(self, path, data=None, headers=None):
        headers = dict(headers or {}, **{"X-Forwarded-For": self.address, "Accept-Encoding": "gzip"})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, headers=headers)  # noqa: S310 - localhost
        try:
            response = urllib.request.urlopen(req, timeout=10)  # noqa: S310 - localhost
        except urllib.error.HTTPError as exc:
            response = exc
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        raw = response.read()
        if response.headers.get("Content-Encoding") == "gzip":
            import gzip

            raw = gzip.decompress(raw)
        return response.status, raw


def visit(base, address, person, lap=None):
    """One person's complete lookup; returns the search answer's text.
    `lap(step)`, when given, is called after each step ("page", the region
    fragments by the level they list, "search")."""
    desa, name, _nik = person
    lap = lap or (lambda _step: None)
    b = Browser(base, address)
    status, page = b.request("/")
    lap("page")
    html = page.decode()
    assert status == 200, status
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))
    csrf = hidden["csrf_token"]
    img = unescape(re.search(r'<img src="([^"]+)" width="170"', html).group(1))
    if not img.startswith("data:image/png;base64,"):  # before #19: the image is a second request
        status, png = b.request(img)
        assert status == 200 and png[:4] == b"\x89PNG", status
    regions = region_fields(desa)
    # static/app.js fills a select from lists brought before, without a
    # request: since #19 the page brings every province's kabupaten list,
    # and a kabupaten's answer the desa lists of its kecamatan.
    data = re.search(r'<script type="application/json" id="kabupaten-daftar"[^>]*>(.*?)</script>', html)
    kabupaten = json.loads(data.group(1)) if data else {}
    if kabupaten:  # the kabupaten to choose is one the page lists
        assert regions["kabupaten"].split(".")[1] in [k for k, _n in kabupaten[regions["provinsi"]]]
    brought = ""
    for level, target in STEPS:
        if (level == "provinsi" and regions[level] in kabupaten
                or f'<template data-untuk="{regions[level]}">' in brought):
            continue
        status, fragment = b.request(f"/wilayah/{regions[level]}",
                                     headers=dict(HTMX, **{"HX-Target": target}))
        assert status == 200, status
        brought = fragment.decode()
        lap(target)
    form = dict(hidden, captcha=CAPTCHA, mode="nama", nama=name, **regions)
    status, answer = b.request("/", form, headers=dict(HTMX, **{"X-CSRFToken": csrf}))
    assert status == 200 and "data ditemukan" in answer.decode(), (status, answer[:300])
    lap("search")
    return answer


class Laps:
    """Server CPU per step of the visits (the page, each region fragment, the
    search), read between the steps with `meter` (its processes listed
    before, so a reading is a few /proc files). Summed over the visits each
    step's share comes out: the readings between the steps add up to the
    visit's whole."""

    def __init__(self, meter):
        self.meter, self.spent, self.last, self.visits = meter, {}, None, 0

    def start(self):
        self.last = self.meter.read()

    def __call__(self, step):
        now = self.meter.read()
        spent = sum(seconds - self.last.get(pid, 0.0) for pid, seconds in now.items())
        self.spent[step] = self.spent.get(step, 0.0) + spent
        self.last = now
        if step == "search":
            self.visits += 1


def _frag(browser, code, target):
    return browser.request(f"/wilayah/{code}", headers=dict(HTMX, **{"HX-Target": target}))


def outside(backend, db, visits, roots=(ROOT,)):
    """Per checkout in `roots` (this one, and with --before an older one
    served beside it): (per visit, per first visit, per fragment, RSS,
    page weight). With several, their batches alternate: the same minutes
    of a shared machine weigh on each alike."""
    # CSRF and rate limits stay on (unlike bench.load): the visit is a browser's.
    os.makedirs("/tmp/bench/visit", exist_ok=True)  # noqa: S108
    servers = []
    database = db if backend == "postgresql" else None
    try:
        for n, root in enumerate(roots):
            env = dict(os.environ, HOST="127.0.0.1", PORT=str(free_port()), WEB_CONCURRENCY="2",
                       FLASK_SECRET_KEY=SECRET, FLASK_TESTING="true", FLASK_CAPTCHA_TEST_ANSWER=CAPTCHA,
                       FLASK_TRUSTED_PROXY_COUNT="1", **database_env(backend, db))
            servers.append(Server(env, f"/tmp/bench/visit/gunicorn-{n}.log", root=root))  # noqa: S108
        people = samples(backend, db, n=2 * visits + 20)
        kec = region_fields(people[0][0])["kecamatan"]
        results = [{"cold": 0.0, "visit": 0.0, "fragment": 0.0, "fragment with cookie": 0.0, "trivial": 0.0}
                   for _ in servers]
        # visit / fragment of each batch alone: the spread a shared machine puts on the ratio
        round_ratios = [[] for _ in servers]
        for n, server in enumerate(servers):
            for i in range(20):  # warm both workers (templates, the upper region levels)
                visit(server.base, f"10.9.{n}.{i + 1}", people[i])
        # First visitors: most of their kecamatan's fragments are not cached
        # yet (with several servers, a batch each in turn: the first would
        # otherwise read the database from a cold disk cache for both).
        meters = [Meter(server, database) for server in servers]
        batches = max(1, min(ROUNDS, visits))
        for r in range(batches):
            first, last = visits * r // batches, visits * (r + 1) // batches
            for n, server in (list(enumerate(servers)) if r % 2 == 0 else list(enumerate(servers))[::-1]):
                start = meters[n].refresh().read()
                for i in range(first, last):
                    visit(server.base, address(i + n * 65536), people[20 + i])
                results[n]["cold"] += meters[n].since(start) / visits
        for server in servers:
            # The steady state of a peak: every region fragment these visitors
            # ask for has been served by each worker before (gunicorn picks the
            # worker, so each is asked for four times).
            warm = Browser(server.base, "10.7.0.1")
            for desa, _name, _nik in people[20 + visits:]:
                regions = region_fields(desa)
                for level, target in STEPS:
                    for _ in range(4):
                        _frag(warm, regions[level], target)
            for _ in range(20):
                _frag(Browser(server.base, "10.8.0.1"), kec, "desa")
        # Visits and cached fragments in alternating batches (and, with
        # several servers, server after server, in turn first), so that a shared machine's
        # drift (other jobs, a CPU's clock) weighs on each figure alike.
        # A cached fragment as measured since #19 began (a browser without
        # cookies), and as the visit's own browser asks for it (with the
        # session cookie the page set, which each request then opens).
        fragment_browsers = [Browser(server.base, "10.8.0.1") for server in servers]
        cookie_browsers = [Browser(server.base, "10.8.0.2") for server in servers]
        for browser in cookie_browsers:
            browser.request("/")
        done = 0
        for r in range(batches):
            batch = visits * (r + 1) // batches - done
            order = list(enumerate(servers)) if r % 2 == 0 else list(enumerate(servers))[::-1]
            spent = {}
            for n, server in order:
                start = meters[n].refresh().read()
                for i in range(done, done + batch):
                    visit(server.base, address(visits + i + n * 65536), people[20 + visits + i])
                spent[n, "visit"] = meters[n].since(start)
            for kind, browsers in (("fragment", fragment_browsers),
                                   ("fragment with cookie", cookie_browsers)):
                for n, _server in order:
                    start = meters[n].refresh().read()
                    for _ in range(6 * batch):
                        _frag(browsers[n], kec, "desa")
                    spent[n, kind] = meters[n].since(start)
            # The trivial route (bench.app's /_bench/ok) from outside: what any
            # request costs before the app does anything of its own (gunicorn,
            # the connection, Flask's request, the middleware), four times in a visit.
            for n, _server in order:
                start = meters[n].refresh().read()
                for _ in range(6 * batch):
                    fragment_browsers[n].request("/_bench/ok")
                spent[n, "trivial"] = meters[n].since(start)
            for (n, kind), seconds in spent.items():
                results[n][kind] += seconds
            for n, _server in order:
                if spent[n, "fragment"]:
                    round_ratios[n].append(spent[n, "visit"] / batch / (spent[n, "fragment"] / (6 * batch)))
            done += batch
        # Where a visit goes, step by step: more visits, read between their
        # steps (apart from the visits above, which nothing interrupts).
        laps = [Laps(meter.refresh()) for meter in meters]
        for n, server in enumerate(servers):
            for i in range(max(20, visits // 4)):
                laps[n].start()
                visit(server.base, address(3 * 65536 + i + n * 4096), people[20 + visits + i], laps[n])
        out = []
        for n, server in enumerate(servers):
            rss = max(memory(pid)[0] for pid in server.workers())
            figures = results[n]
            out.append((figures["visit"] / visits, figures["cold"], figures["fragment"] / (6 * visits),
                        figures["fragment with cookie"] / (6 * visits), figures["trivial"] / (6 * visits),
                        sorted(round_ratios[n]), rss,
                        pageweight.page(server.base, "/"),
                        {step: spent / laps[n].visits for step, spent in laps[n].spent.items()}))
        return out
    finally:
        for server in servers:
            server.stop()


def in_process(backend, db, rounds):
    """(search htmx, htmx answered with the whole section, no-JS full page,
    minimal lookup, captcha image request, captcha image drawn and encoded,
    trivial route) CPU ms each, one process."""
    os.environ.update(FLASK_SECRET_KEY=SECRET, FLASK_TESTING="true", FLASK_CAPTCHA_TEST_ANSWER=CAPTCHA,
                      FLASK_RATELIMIT_ENABLED="false", **database_env(backend, db))
    from flask import request

    from bench.app import make_app
    from webapp.captcha.services import new_token, verify
    from webapp.registry.models import Enrollment, Person

    app = make_app()

    @app.post("/_bench/minimal")
    def minimal():
        verify(request.form["captcha_token"], request.form["captcha"])
        p = (Person.select(Person.id, Person.name, Person.household)
             .where((Person.desa == request.form["desa"]) & (Person.name_norm == request.form["norm"]))
             .limit(20).tuples())
        rows = list(p)
        e = list(Enrollment.select(Enrollment.program_code, Enrollment.status)
                 .where(Enrollment.household.in_([r[2] for r in rows])).tuples()) if rows else []
        return f"<p>{len(rows)} {len(e)}</p>"

    from webapp.identity import normalize_name

    people = samples(backend, db, n=rounds * 4 + 10, seed=7)
    client = app.test_client()
    html = client.get("/").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    def tokens(n):
        with app.app_context():
            return [new_token("image") for _ in range(n)]

    def run(kind, batch):
        toks = tokens(len(batch))
        spent = 0.0
        for tok, (desa, name, _nik) in zip(toks, batch, strict=True):
            if kind == "minimal":
                data = {"captcha_token": tok, "captcha": CAPTCHA, "desa": desa, "norm": normalize_name(name)}
                headers = {"X-CSRFToken": csrf}
                path = "/_bench/minimal"
            else:
                data = {"csrf_token": csrf, "captcha_token": tok, "captcha": CAPTCHA, "mode": "nama",
                        "nama": name, **region_fields(desa)}
                if kind == "htmx":  # as a browser sends it from the form showing no errors
                    data["tampil"] = "bersih"
                headers = {"HX-Request": "true"} if kind in ("htmx", "htmx-section") else {}
                path = "/"
            t = time.process_time()
            response = client.post(path, data=data, headers=headers)
            spent += time.process_time() - t
            assert response.status_code == 200, (kind, response.status_code)
        return spent / len(batch) * 1000

    run("htmx", people[:5])
    run("htmx-section", people[5:10])
    run("full", people[5:10])
    run("minimal", people[:5])
    htmx = run("htmx", people[10:10 + rounds])
    section = run("htmx-section", people[10 + rounds:10 + 2 * rounds])
    full = run("full", people[10 + 2 * rounds:10 + 3 * rounds])
    mini = run("minimal", people[10 + 3 * rounds:10 + 4 * rounds])
    with app.app_context():
        toks = tokens(rounds)
    t = time.process_time()
    for tok in toks:
        assert client.get(f"/captcha/{tok}.png").status_code == 200
    image = (time.process_time() - t) / rounds * 1000
    # Producing the image alone (drawn and encoded, as the page's inline one
    # is), and the trivial route: the machine's scale for the request around it.
    from webapp.captcha import media
    from webapp.captcha.services import IMAGE_ALPHABET

    answers = ["".join(random.choices(IMAGE_ALPHABET, k=5)) for _ in range(rounds)]
    # A worker fills its glyph pool (media._GlyphPool) once, at its first
    # images; what each later visitor costs is the pool's steady state.
    for answer in answers:
        media.png(answer)
    t = time.process_time()
    for answer in answers:
        media.png(answer)
    drawn = (time.process_time() - t) / rounds * 1000
    t = time.process_time()
    for _ in range(rounds):
        assert client.get("/_bench/ok").status_code == 200
    trivial = (time.process_time() - t) / rounds * 1000
    return htmx, section, full, mini, image, drawn, trivial


def exists(backend, db):
    """Whether the registry is there: the SQLite file, or the PostgreSQL database."""
    if backend == "sqlite":
        return os.path.exists(db)
    import psycopg  # the PostgreSQL driver, only for a PostgreSQL registry

    base, name = db.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres") as c:
        return c.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def _print_outside(per_visit, per_cold_visit, per_fragment, per_fragment_cookie, per_trivial, round_ratios,
                   rss, weight, steps):
    print(f"  server CPU per visit   {per_visit * 1000:6.2f} ms   (its fragments cached, as at a peak)")
    print(f"  cached fragment        {per_fragment * 1000:6.2f} ms   (a browser without cookies)")
    print(f"  visit / fragment       {per_visit / per_fragment:6.2f}x   (goal <= 7x)")
    if round_ratios:
        mid = round_ratios[len(round_ratios) // 2]
        print(f"    batch by batch: {round_ratios[0]:.2f}x lowest, {mid:.2f}x median, "
              f"{round_ratios[-1]:.2f}x highest ({len(round_ratios)} batches)")
    names = {"page": "page", "kabupaten": "kabupaten list", "kecamatan": "kecamatan list (+ desa lists)",
             "desa": "desa list", "search": "search"}
    shares = [f"{names.get(step, step)} {seconds / per_fragment:.2f}x" for step, seconds in steps.items()]
    print("    of which (more visits, read between their steps): " + ", ".join(shares))
    floor = per_trivial / per_fragment
    print(f"  trivial route from outside {per_trivial * 1000:6.2f} ms = {floor:.2f} fragment: any request's "
          f"share before the app's own work; the visit's {len(steps)} requests {len(steps) * floor:.2f}x of "
          f"it, their own work {per_visit / per_fragment - len(steps) * floor:.2f}x")
    print(f"  cached fragment, with the session cookie the page set  {per_fragment_cookie * 1000:6.2f} ms   "
          f"visit / it {per_visit / per_fragment_cookie:4.1f}x")
    cold = per_cold_visit / per_fragment
    print(f"  first visitors         {per_cold_visit * 1000:6.2f} ms   {cold:6.1f}x   "
          "(most of their kecamatan's fragments not cached yet)")
    kb = {enc: weight["totals"][enc] / 1024 for enc in ("gzip", "br")}
    print(f"  GET / on a cold cache  {weight['requests']} requests, {kb['gzip']:.1f} KB gzip, "
          f"{kb['br']:.1f} KB br   (goal <= 5 requests, <= 30 KB)")
    if weight["lazy_requests"]:
        print(f"    + {weight['lazy_requests']} lazy image fetched only when in view: "
              f"{weight['lazy']['gzip'] / 1024:.1f} KB gzip")
    print(f"  worker RSS after       {rss:6.1f} MB   (goal <= 80 MB)")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    p.add_argument("--db", help="SQLite file or postgresql:// URL (database bench_*); default "
                   "/tmp/bench/visit/cekbansos.sqlite3, or bench_visit on 127.0.0.1:5432")
    p.add_argument("--persons", type=int, default=50_000, help="generated when --db is missing")
    p.add_argument("--visits", type=int, default=100)
    p.add_argument("--rounds", type=int, default=200)
    p.add_argument("--before", metavar="DIR", help="a checkout of older code (git worktree add DIR <commit>) "
                   "served beside this one, the visits of both measured side by side")
    a = p.parse_args(argv)
    if a.db is None:
        a.db = ("/tmp/bench/visit/cekbansos.sqlite3" if a.backend == "sqlite"  # noqa: S108
                else "postgresql://postgres@127.0.0.1:5432/bench_visit")
    if not exists(a.backend, a.db):
        subprocess.run([sys.executable, "-m", "bench.generate", "--backend", a.backend,
                        "--persons", str(a.persons), "--out", a.db], check=True, cwd=ROOT)
    roots = (ROOT, os.path.abspath(a.before)) if a.before else (ROOT,)
    side = ", this checkout and --before side by side, batches alternating:" if a.before else ":"
    print(f"complete visit (page + captcha image + region fragments + htmx search), {a.visits} visits, "
          "gunicorn 2 workers" + side)
    for root, figures in zip(roots, outside(a.backend, a.db, a.visits, roots), strict=True):
        if a.before:
            print(f" {'before' if root != ROOT else 'now'} ({root}):")
        _print_outside(*figures)
    print(f"in one process (Flask test client, CPU time, {a.rounds} each"
          + (", each checkout in a process of its own, twice, alternating):" if a.before else "):"))
    for root, figures in zip(roots, _in_processes(a, roots), strict=True):
        if a.before:
            print(f" {'before' if root != ROOT else 'now'} ({root}):")
        _print_in_process(*figures)


def _in_processes(a, roots):
    """in_process() figures per checkout: in this process alone, or with
    --before each checkout's own code in a process of its own, run twice
    in turn and averaged."""
    if len(roots) == 1:
        return [in_process(a.backend, a.db, a.rounds)]
    runs = {root: [] for root in roots}
    code = f"import bench.visit as v; print(repr(v.in_process({a.backend!r}, {a.db!r}, {a.rounds})))"
    for _ in range(2):
        for root in roots:
            env = dict(os.environ, PYTHONPATH=root)
            out = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, check=True,
                                 capture_output=True, text=True).stdout
            runs[root].append(ast.literal_eval(out.strip().splitlines()[-1]))
    return [tuple(sum(values) / len(values) for values in zip(*runs[root], strict=True)) for root in roots]


def _print_in_process(htmx, section, full, mini, image, drawn, trivial):
    print(f"  search POST, htmx      {htmx:6.2f} ms   {htmx / mini:4.1f}x minimal   (goal <= 2x)")
    print(f"  search POST, htmx, whole #cek section (a form showing errors) {section:6.2f} ms   "
          f"{section / mini:4.1f}x minimal")
    print(f"  search POST, no-JS     {full:6.2f} ms   {full / mini:4.1f}x minimal")
    print(f"  minimal lookup         {mini:6.2f} ms")
    print(f"  captcha image, drawn and encoded  {drawn:6.2f} ms   (goal <= 1 ms)")
    print(f"  captcha image, whole request /captcha/<token>.png  {image:6.2f} ms   "
          f"({image / trivial:.1f}x the trivial route: {trivial:.2f} ms)")


if __name__ == "__main__":
    main()
