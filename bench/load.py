"""Throughput and latency of the main requests against the trivial one, in one run.

Starts gunicorn (gunicorn.conf.py, 2 workers) with bench.app on a free port of
127.0.0.1 against a generated database, then drives each endpoint with wrk
from a second process for a bounded time (2 threads, 2 connections per
worker). The trivial endpoint runs first and last; ratios use their mean.

    .venv/bin/python -m bench.load --backend sqlite --db /tmp/bench/s10m/cekbansos.sqlite3
    .venv/bin/python -m bench.load --backend postgresql --db postgresql://postgres@127.0.0.1:5432/bench_10m
    (add --redis redis://127.0.0.1:6379/15 to keep captcha nonces in Redis)

Bench-only settings, said in the results: CSRF off (FLASK_WTF_CSRF_ENABLED=false),
rate limit off, TESTING on so the captcha answer can be fixed; each POST still
verifies its own signed, single-use captcha token (the nonce is recorded).
"""

import argparse
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CAPTCHA = "24680"
SECRET = "bench-secret-not-for-production"  # noqa: S105 - the bench server's own key
WORKERS = 2
KECAMATAN_108 = "95.06.03"
NOT_FOUND_NAMES = ("Bench Tidakada", "Zyx Qorvanto", "Wibowo Tidakterdaftar", "Qaisara Nonexist")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_env(backend, db):
    """The settings pointing bench.app at `db`: on SQLite the file's folder is
    the instance, on PostgreSQL a fresh temporary one; the keyring beside it."""
    if backend == "sqlite":
        env = {"BENCH_INSTANCE": os.path.dirname(os.path.abspath(db)),
               "FLASK_SQLITE_FILENAME": os.path.basename(db)}
    else:
        env = {"BENCH_INSTANCE": tempfile.mkdtemp(prefix="bench-instance-"), "FLASK_DATABASE_URL": db}
    # Given explicitly: a PostgreSQL/Redis installation refuses to start without it.
    env["FLASK_ENCRYPTION_KEY_FILE"] = os.path.join(env["BENCH_INSTANCE"].rstrip(os.sep) + "-keys", "keyring")
    return env


def server_env(backend, db, port, redis_url=None):
    env = dict(os.environ, HOST="127.0.0.1", PORT=str(port), WEB_CONCURRENCY=str(WORKERS),
               FLASK_SECRET_KEY=SECRET, FLASK_TESTING="true", FLASK_CAPTCHA_TEST_ANSWER=CAPTCHA,
               FLASK_WTF_CSRF_ENABLED="false", FLASK_RATELIMIT_ENABLED="false", **database_env(backend, db))
    if redis_url:
        env["FLASK_REDIS_URL"] = redis_url
    return env


class Server:
    """gunicorn -c gunicorn.conf.py bench.app:app, as production runs wsgi:app."""

    def __init__(self, env, log_path, root=ROOT):
        """`root`: the checkout whose code it serves (bench.visit --before
        serves an older one beside this one), with the same .venv."""
        self.env = env
        self.base = f"http://127.0.0.1:{env['PORT']}"
        self.log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [os.path.join(ROOT, ".venv/bin/gunicorn"), "-c", "gunicorn.conf.py", "bench.app:app"],
            cwd=root, env=dict(env, PYTHONPATH=root), stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.base + "/_bench/ok", timeout=2).read()  # noqa: S310 - localhost
                # Every worker forked: WEB_CONCURRENCY of them, or gunicorn.conf.py's
                # own count (unknown here) when the caller left it out.
                expected = int(env.get("WEB_CONCURRENCY", 0))
                if expected and len(self.workers()) == expected:
                    return
                if not expected:
                    time.sleep(1)
                    return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"gunicorn did not start, see {log_path}")

    def workers(self):
        pids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        if int(f.read().rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                            pids.append(int(entry))
                except (OSError, IndexError, ValueError):
                    continue
        return sorted(pids)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def memory(pid):
    """(RSS, private) in MiB: RSS counts pages shared with the master after fork."""
    values = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 2 and parts[1].isdigit():
                    values[parts[0].rstrip(":")] = int(parts[1])
    except OSError:
        return None
    private = values.get("Private_Clean", 0) + values.get("Private_Dirty", 0)
    return values.get("Rss", 0) / 1024, private / 1024


class MemoryWatch(threading.Thread):
    """Polls every worker's RSS while the load runs (workers restart every
    ~2000 requests under gunicorn.conf.py's max_requests)."""

    def __init__(self, server):
        super().__init__(daemon=True)
        self.server, self.peak, self.pids, self.stopped = server, (0.0, 0.0), set(), False

    def run(self):
        while not self.stopped:
            for pid in self.server.workers():
                self.pids.add(pid)
                m = memory(pid)
                if m and m[0] > self.peak[0]:
                    self.peak = m
            time.sleep(0.5)


def samples(backend, db, n=2000, seed=3):
    """n random (desa, name, nik) of registered persons."""
    sql_max = "SELECT MAX(id) FROM person"
    if backend == "sqlite":
        import sqlite3

        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        param = "?"
    else:
        import psycopg

        conn = psycopg.connect(db)
        param = "%s"
    top = conn.execute(sql_max).fetchone()[0]
    ids = random.Random(seed).sample(range(1, top + 1), n)
    rows = [conn.execute(f"SELECT desa_code, name, nik FROM person WHERE id = {param}", (i,)).fetchone()  # noqa: S608
            for i in ids]
    conn.close()
    return rows


def region_fields(desa):
    parts = desa.split(".")
    return {"provinsi": parts[0], "kabupaten": ".".join(parts[:2]), "kecamatan": ".".join(parts[:3]),
            "desa": desa}


def token_app(env):
    """The app as the server sees it (same key), to mint captcha tokens here."""
    from bench.app import make_app

    # The settings reach create_app through the environment, like the server's;
    # put it back afterwards, or they leak into every app this process makes
    # later (the import and page-weight measurements of bench.run_all).
    saved = dict(os.environ)
    os.environ.update({k: v for k, v in env.items() if k.startswith(("FLASK_", "BENCH_"))})
    try:
        return make_app()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def write_bodies(app, kind, people, count, path):
    """`count` urlencoded lookup forms, each with its own fresh captcha token."""
    from webapp.captcha.services import new_token

    rng = random.Random(kind)
    with app.app_context(), open(path, "w") as f:
        for i in range(count):
            desa, name, nik = people[i % len(people)]
            form = {"captcha": CAPTCHA, "captcha_token": new_token("image")}
            if kind == "nik":
                form.update(mode="nik", nik=nik)
            else:
                form.update(mode="nama", nama=name if kind == "found" else
                            f"{rng.choice(NOT_FOUND_NAMES)} {rng.choice('ABCDEFGH')}", **region_fields(desa))
            f.write(urlencode(form) + "\n")


def wrk(base, path, duration, headers, bodies=None, threads=2, connections=2 * WORKERS):
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
           "-s", os.path.join(ROOT, "bench/wrk.lua")]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    env = dict(os.environ, BENCH_THREADS=str(threads), BENCH_BODIES=bodies or "")
    out = subprocess.run(cmd + [base + path], env=env, capture_output=True, text=True, timeout=duration + 60)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {out.stdout}\n{out.stderr}")
    f = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", line)}
    return {"rps": f["requests"] / (f["duration_us"] / 1e6), "p50": f["p50_us"] / 1000,
            "p99": f["p99_us"] / 1000, "non2xx": f["non2xx"], "errors": f["socket_errors"],
            "requests": f["requests"]}


def check(base, path, headers, body=None, expect=None):
    """One request before the load: the endpoint answers 200 with what it should."""
    req = urllib.request.Request(base + path, data=body.encode() if body else None,  # noqa: S310
                                 headers=headers)
    with urllib.request.urlopen(req, timeout=10) as r:  # noqa: S310 - localhost
        text = r.read().decode()
    if expect and expect not in text:
        raise RuntimeError(f"{path}: {expect!r} not in the response")


def run(backend, db, duration=15, redis_url=None, label=None, workdir="/tmp/bench/load",  # noqa: S108
        before_load=None):
    """before_load(base URL, people, token_for) runs on the cold server (page weight)."""
    os.makedirs(workdir, exist_ok=True)
    label = label or backend + ("+redis" if redis_url else "")
    env = server_env(backend, db, free_port(), redis_url)
    people = samples(backend, db)
    accept = {"Accept-Encoding": "br, gzip"}
    htmx = {"HX-Request": "true", **accept}
    post = {"Content-Type": "application/x-www-form-urlencoded", "HX-Target": "cek", **htmx}
    app, bodies = token_app(env), {}
    for kind in ("found", "notfound", "nik"):
        bodies[kind] = os.path.join(workdir, f"bodies-{label}-{kind}.txt")
        write_bodies(app, kind, people, 60_000, bodies[kind])
    server = Server(env, os.path.join(workdir, f"gunicorn-{label}.log"))
    try:
        start_mem = [memory(p) for p in server.workers()]
        base = server.base
        extra = None
        if before_load:
            from webapp.captcha.services import new_token

            def token_for():
                with app.app_context():
                    return new_token("image")

            extra = before_load(base, people, token_for)
        check(base, f"/wilayah/{KECAMATAN_108}", {"HX-Request": "true", "HX-Target": "desa"},
              expect="<option")
        with open(bodies["found"]) as f:
            check(base, "/", {"HX-Request": "true"}, f.readline().strip(), expect="data ditemukan")
        with open(bodies["notfound"]) as f:
            check(base, "/", {"HX-Request": "true"}, f.readline().strip(), expect="Tidak Terdapat")
        watch = MemoryWatch(server)
        watch.start()
        plan = [
            ("trivial GET /_bench/ok", "/_bench/ok", accept, None),
            (f"fragment GET /wilayah/{KECAMATAN_108}", f"/wilayah/{KECAMATAN_108}",
             {"HX-Target": "desa", **htmx}, None),
            ("lookup POST name, found", "/", post, bodies["found"]),
            ("lookup POST name, not found", "/", post, bodies["notfound"]),
            ("lookup POST NIK, found", "/", post, bodies["nik"]),
            ("trivial GET /_bench/ok (again)", "/_bench/ok", accept, None),
        ]
        results = []
        for name, path, headers, body_file in plan:
            results.append((name, wrk(base, path, duration, headers, body_file)))
            print(f"  {label}: {name}: {results[-1][1]['rps']:.0f} req/s", flush=True)
        watch.stopped = True
        end_mem = [memory(p) for p in server.workers()]
    finally:
        server.stop()
    baseline = (results[0][1]["rps"] + results[-1][1]["rps"]) / 2
    return {"label": label, "results": results, "extra": extra, "baseline": baseline, "start_mem": start_mem,
            "end_mem": end_mem, "peak_mem": watch.peak, "worker_pids": len(watch.pids)}


def report(r):
    lines = [f"### {r['label']}", "",
             "| endpoint | req/s | p50 ms | p99 ms | non-2xx | ratio to trivial |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, x in r["results"]:
        lines.append(f"| {name} | {x['rps']:.0f} | {x['p50']:.1f} | {x['p99']:.1f} | {x['non2xx']} "
                     f"| {x['rps'] / r['baseline']:.0%} |")
    fmt = ", ".join(f"{m[0]:.0f} MiB RSS ({m[1]:.0f} private)" for m in r["start_mem"] if m)
    end = ", ".join(f"{m[0]:.0f} MiB RSS ({m[1]:.0f} private)" for m in r["end_mem"] if m)
    lines += ["", f"Workers after start: {fmt}.", f"Workers after the load: {end}; highest seen during it "
              f"{r['peak_mem'][0]:.0f} MiB RSS ({r['peak_mem'][1]:.0f} private); {r['worker_pids']} worker "
              "processes seen (max_requests restarts).", ""]
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--backend", choices=("sqlite", "postgresql"), required=True)
    p.add_argument("--db", required=True, help="SQLite file or postgresql:// URL")
    p.add_argument("--duration", type=int, default=15, help="seconds per endpoint")
    p.add_argument("--redis", help="redis:// URL for captcha nonces (else the database)")
    args = p.parse_args(argv)
    print(report(run(args.backend, args.db, args.duration, args.redis)))


if __name__ == "__main__":
    sys.exit(main())
