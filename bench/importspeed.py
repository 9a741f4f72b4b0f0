"""Import speed: rows per second of a Peewee insert_many import against the raw
driver (sqlite3 executemany; psycopg executemany and COPY), same CSV files,
same fresh database with the app's schema, indexes and every region.

The app's CSV import arrives with issue #5; until then this measures the path
it would take (Peewee insert_many in one transaction, 500 rows a statement)
as a proxy.

    .venv/bin/python -m bench.importspeed --persons 200000
"""

import argparse
import csv
import os
import random
import shutil
import time

from bench.generate import COLUMNS, Rows, bench_app, plan, prepare
from webapp.db import flask_db

WORK = "/tmp/bench/import"  # noqa: S108 - benchmark scratch space
PG = "postgresql://postgres@127.0.0.1:5432"
TABLES = ("household", "person")
INSERT_ROWS = 500


def write_csv(db, persons):
    """household.csv and person.csv for about `persons` persons."""
    rows = Rows(seed=5)
    out = {"household": [], "person": [], "enrollment": []}
    for kec, desas in plan(db, persons, random.Random(5)):
        rows.kecamatan(kec, desas, 2000, out)
        if len(out["person"]) >= persons:
            break
    for table in TABLES:
        with open(os.path.join(WORK, f"{table}.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(COLUMNS[table])
            w.writerows(out[table])
    return {t: len(out[t]) for t in TABLES}


def read_csv(table):
    with open(os.path.join(WORK, f"{table}.csv"), newline="") as f:
        reader = csv.reader(f)
        next(reader)
        for row in reader:
            yield tuple(None if v == "" else v for v in row)


def batches(rows, size=INSERT_ROWS):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def peewee_import(backend, out):
    from webapp.registry.models import Household, Person

    app = bench_app(backend, out)
    models = {"household": Household, "person": Person}
    with app.app_context():
        db = flask_db.database
        db.connect(reuse_if_open=True)
        with db.atomic():
            for table in TABLES:
                model = models[table]
                fields = [model._meta.columns[c] for c in COLUMNS[table]]
                for batch in batches(read_csv(table)):
                    model.insert_many(batch, fields=fields).execute()
        db.close()


def _sql(table, mark):
    cols = COLUMNS[table]
    return f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join([mark] * len(cols))})"  # noqa: S608


def sqlite_executemany(path):
    import sqlite3

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("BEGIN")
    for table in TABLES:
        conn.executemany(_sql(table, "?"), read_csv(table))
    conn.execute("COMMIT")
    conn.close()


def pg_executemany(url):
    import psycopg

    with psycopg.connect(url) as conn, conn.cursor() as cur:
        for table in TABLES:
            cur.executemany(_sql(table, "%s"), read_csv(table))


def pg_copy(url):
    import psycopg

    with psycopg.connect(url) as conn, conn.cursor() as cur:
        for table in TABLES:
            with cur.copy(f"COPY {table} ({', '.join(COLUMNS[table])}) FROM STDIN") as copy:
                for row in read_csv(table):
                    copy.write_row(row)


def timed(fn, *args):
    t = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t


def run(persons=200_000, backends=("sqlite", "postgresql")):
    os.makedirs(WORK, exist_ok=True)
    template = os.path.join(WORK, "template.sqlite3")
    app = prepare("sqlite", template)
    with app.app_context():
        db = flask_db.database
        db.connect(reuse_if_open=True)
        counts = write_csv(db, persons)
        db.close()
    total = sum(counts.values())
    results = []
    if "sqlite" in backends:
        for name, fn in (("Peewee insert_many", lambda p: peewee_import("sqlite", p)),
                         ("sqlite3 executemany", sqlite_executemany)):
            path = os.path.join(WORK, "copy.sqlite3")
            shutil.copy(template, path)
            results.append(("sqlite", name, total / timed(fn, path)))
            os.remove(path)
    if "postgresql" in backends:
        import psycopg

        tpl = f"{PG}/bench_import_tpl"
        prepare("postgresql", tpl)
        for name, fn in (("Peewee insert_many", lambda u: peewee_import("postgresql", u)),
                         ("psycopg executemany", pg_executemany), ("psycopg COPY", pg_copy)):
            with psycopg.connect(f"{PG}/postgres", autocommit=True) as c:
                c.execute("DROP DATABASE IF EXISTS bench_import_run")
                c.execute("CREATE DATABASE bench_import_run TEMPLATE bench_import_tpl")
            results.append(("postgresql", name, total / timed(fn, f"{PG}/bench_import_run")))
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as c:
            c.execute("DROP DATABASE IF EXISTS bench_import_run")
            c.execute("DROP DATABASE IF EXISTS bench_import_tpl")
    return counts, results


def report(counts, results):
    lines = [f"Rows: {counts['household']:,} households + {counts['person']:,} persons from CSV, "
             "into the app's schema with its indexes, one transaction.", "",
             "| backend | path | rows/s | Peewee as share of this |", "|---|---|---:|---:|"]
    peewee = {b: r for b, name, r in results if name.startswith("Peewee")}
    for backend, name, rate in results:
        lines.append(f"| {backend} | {name} | {rate:,.0f} | {peewee[backend] / rate:.0%} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--persons", type=int, default=200_000)
    p.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = p.parse_args(argv)
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    print(report(*run(args.persons, backends)))


if __name__ == "__main__":
    main()
