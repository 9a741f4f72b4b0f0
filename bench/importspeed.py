"""Import speed: rows per second of the app's registry import (the code behind
`flask petugas impor` and /petugas/impor: every line checked, then written in
one transaction) against the raw driver loading the same file (sqlite3
executemany; psycopg executemany and COPY), each into a fresh copy of the same
database (the app's schema and indexes, every region, the programs).

    .venv/bin/python -m bench.importspeed --persons 100000

The raw paths are the floor: they read the CSV, number the households and
persons themselves and compute `name_norm` with the app's function (the column
the lookup needs), but check nothing. SQLite runs with the app's pragmas
(foreign keys checked, as PostgreSQL always does). All end with the same row
counts.
"""

import argparse
import csv
import io
import os
import random
import shutil
import time
from collections import defaultdict

from bench.generate import Rows, bench_app, plan, prepare
from webapp.db import flask_db
from webapp.identity import normalize_name

WORK = "/tmp/bench/import"  # noqa: S108 - benchmark scratch space
PG = "postgresql://postgres@127.0.0.1:5432"
HEADER = ("no_kk", "nik", "nama", "tanggal_lahir", "jenis_kelamin", "hubungan", "kode_desa", "alamat",
          "desil", "program", "tahun", "triwulan", "status", "tahap")
HOUSEHOLD_PROGRAMS = ("PKH", "SEMBAKO", "BLT")


def write_csv(db, persons, path):
    """An import file (docs/import-format.md) for about `persons` synthetic
    persons: one line per person and enrollment, household programs on the
    head's line, a line without a program for a person with none."""
    rows = Rows(seed=5)
    out = {"household": [], "person": [], "enrollment": []}
    for kec, desas in plan(db, persons, random.Random(5)):
        rows.kecamatan(kec, desas, 2000, out)
        if len(out["person"]) >= persons:
            break
    households = {h[0]: h for h in out["household"]}
    by_person, by_household = defaultdict(list), defaultdict(list)
    for e in out["enrollment"]:
        (by_person[e[2]] if e[2] else by_household[e[1]]).append(e)
    lines = 0
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for pid, nik, name, _norm, born, sex, hid, desa, relationship in out["person"]:
            _h, no_kk, _desa, address, desil, _now = households[hid]
            own = by_person[pid] + (by_household.pop(hid, []) if relationship == "Kepala Keluarga" else [])
            desil = "" if desil is None else desil
            person = (no_kk, nik, name, born, sex, relationship, desa, address, desil)
            for e in own or [None]:
                program = ("", "", "", "", "") if e is None else (e[3], e[4], e[5], e[6], e[7])
                w.writerow(person + program)
                lines += 1
    return {"lines": lines, "household": len(households), "person": len(out["person"]),
            "enrollment": len(out["enrollment"])}


def app_import(backend, out, path):
    from webapp.petugas import importer

    app = bench_app(backend, out)
    with open(path, "rb") as f:
        raw = f.read()
    with app.test_request_context():
        flask_db.database.connect(reuse_if_open=True)
        report = importer.run(raw)
        flask_db.database.close()
    release(app)
    if not report.ok:
        raise SystemExit(f"the app refused the generated file: {report.errors[:3]}")


def release(app):
    """Closes the app's pooled connections (a template database must have none)."""
    with app.app_context():
        db = flask_db.database
        db.close()
        if hasattr(db, "close_all"):
            db.close_all()


def raw_rows(path):
    """(households, persons, enrollments) as tuples with ids numbered here."""
    households, persons, enrollments = {}, {}, {}
    norm = {}
    with open(path, newline="") as f:
        reader = csv.reader(f)
        next(reader)
        for no_kk, nik, name, born, sex, rel, desa, address, desil, program, year, quarter, status, stage \
                in reader:
            if no_kk not in households:
                households[no_kk] = (len(households) + 1, no_kk, desa, address, desil or None)
            hid = households[no_kk][0]
            if nik not in persons:
                n = norm.get(name) or norm.setdefault(name, normalize_name(name))
                persons[nik] = (len(persons) + 1, nik, name, n, born, sex, hid, desa, rel)
            if program:
                pid = None if program in HOUSEHOLD_PROGRAMS else persons[nik][0]
                enrollments[(hid, pid, program, year, quarter)] = (status, stage or "PENETAPAN")
    return (list(households.values()), list(persons.values()),
            [(*k, *v) for k, v in enrollments.items()])


COLUMNS = (
    ("household", ("id", "no_kk", "desa_code", "address", "desil")),
    ("person", ("id", "nik", "name", "name_norm", "birth_date", "sex", "household_id", "desa_code",
                "relationship")),
    ("enrollment", ("household_id", "person_id", "program_code", "year", "quarter", "status", "stage")),
)


def _sql(table, cols, mark):
    return f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join([mark] * len(cols))})"  # noqa: S608


def sqlite_executemany(db_path, path):
    import sqlite3

    from webapp.db import SQLITE_PRAGMAS

    conn = sqlite3.connect(db_path, isolation_level=None)
    # The app's own settings, foreign keys included: the same work in the
    # database (PostgreSQL always checks them), only the Python around it differs.
    for name, value in SQLITE_PRAGMAS.items():
        conn.execute(f"PRAGMA {name}={value}")
    conn.execute("BEGIN")
    for (table, cols), rows in zip(COLUMNS, raw_rows(path), strict=True):
        conn.executemany(_sql(table, cols, "?"), rows)
    conn.execute("COMMIT")
    conn.close()


def pg_executemany(url, path):
    import psycopg

    with psycopg.connect(url) as conn, conn.cursor() as cur:
        for (table, cols), rows in zip(COLUMNS, raw_rows(path), strict=True):
            cur.executemany(_sql(table, cols, "%s"), rows)


def pg_copy(url, path):
    import psycopg

    with psycopg.connect(url) as conn, conn.cursor() as cur:
        for (table, cols), rows in zip(COLUMNS, raw_rows(path), strict=True):
            with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)


def counted(backend, target):
    """Row counts of the registry tables after an import (a sanity check)."""
    if backend == "sqlite":
        import sqlite3

        conn = sqlite3.connect(target)
    else:
        import psycopg

        conn = psycopg.connect(target)
    try:
        return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
                     for t, _c in COLUMNS)
    finally:
        conn.close()


def timed(fn, *args):
    t = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t


def run(persons=100_000, backends=("sqlite", "postgresql")):
    os.makedirs(WORK, exist_ok=True)
    template = os.path.join(WORK, "template.sqlite3")
    csv_path = os.path.join(WORK, "impor.csv")
    app = prepare("sqlite", template)
    with app.app_context():
        db = flask_db.database
        db.connect(reuse_if_open=True)
        counts = write_csv(db, persons, csv_path)
        # The pool keeps the connection open, so the WAL is not folded back on
        # close: fold it now, or the copies below would miss the last writes.
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
    lines = counts["lines"]
    results = []
    paths = {"sqlite": (("app import (check + write)", lambda t: app_import("sqlite", t, csv_path)),
                        ("sqlite3 executemany", lambda t: sqlite_executemany(t, csv_path))),
             "postgresql": (("app import (check + write)", lambda t: app_import("postgresql", t, csv_path)),
                            ("psycopg executemany", lambda t: pg_executemany(t, csv_path)),
                            ("psycopg COPY", lambda t: pg_copy(t, csv_path)))}
    if "sqlite" in backends:
        for name, fn in paths["sqlite"]:
            target = os.path.join(WORK, "copy.sqlite3")
            shutil.copy(template, target)
            seconds = timed(fn, target)
            results.append(("sqlite", name, lines / seconds, counted("sqlite", target)))
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(target + suffix):
                    os.remove(target + suffix)
    if "postgresql" in backends:
        import psycopg

        release(prepare("postgresql", f"{PG}/bench_import_tpl"))
        for name, fn in paths["postgresql"]:
            with psycopg.connect(f"{PG}/postgres", autocommit=True) as c:
                c.execute("DROP DATABASE IF EXISTS bench_import_run")
                c.execute("CREATE DATABASE bench_import_run TEMPLATE bench_import_tpl")
            target = f"{PG}/bench_import_run"
            seconds = timed(fn, target)
            results.append(("postgresql", name, lines / seconds, counted("postgresql", target)))
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as c:
            c.execute("DROP DATABASE IF EXISTS bench_import_run")
            c.execute("DROP DATABASE IF EXISTS bench_import_tpl")
    return counts, results


def report(counts, results):
    out = io.StringIO()
    out.write(f"File: {counts['lines']:,} lines → {counts['household']:,} households, {counts['person']:,} "
              f"persons, {counts['enrollment']:,} enrollments; into the app's schema with its indexes.\n\n")
    out.write("| backend | path | lines/s | app import as share of this | rows written |\n")
    out.write("|---|---|---:|---:|---|\n")
    app_rate = {b: rate for b, name, rate, _c in results if name.startswith("app")}
    for backend, name, rate, written in results:
        share = "—" if name.startswith("app") else f"{app_rate[backend] / rate:.0%}"
        rows = " / ".join(f"{n:,}" for n in written)
        out.write(f"| {backend} | {name} | {rate:,.0f} | {share} | {rows} |\n")
    return out.getvalue()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--persons", type=int, default=100_000)
    p.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = p.parse_args(argv)
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    print(report(*run(args.persons, backends)))


if __name__ == "__main__":
    main()
