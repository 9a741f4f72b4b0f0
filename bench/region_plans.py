"""Query plans of an officer's region filter (webapp.petugas.scope.under) on a
benchmark registry: the range condition the app sends now, with its "C"
collation index, against the startswith() it sent before (ILIKE on
PostgreSQL, LIKE on SQLite) on the schema as it was (on PostgreSQL the
person_desa_code_c index is dropped for that query inside a transaction
that is rolled back), with the time of each (warm: the second run). Persons are the big table, so
the filter is the one objections_for() puts on person.desa_code.

    .venv/bin/python -m bench.region_plans --postgresql postgresql://postgres@127.0.0.1:5432/bench_10m
"""

import argparse
import time

from peewee import fn

from bench.generate import bench_app
from webapp.db import flask_db
from webapp.registry.models import Person

SCOPES = ("32.76", "32.76.06", "32.76.06.1001")  # kabupaten, kecamatan, desa


def old_condition(column, code):
    return (column == code) | column.startswith(code + ".")


def _explain(db, query, analyze):
    sql, params = query.sql()
    prefix = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " if analyze else "EXPLAIN QUERY PLAN "
    rows = db.execute_sql(prefix + sql, params).fetchall()
    return [row[-1] if isinstance(row, tuple) else row for row in rows]


def report(backend, out):
    from webapp.petugas.scope import under

    app = bench_app(backend, out)
    with app.app_context():
        db = flask_db.database
        analyze = backend == "postgresql"
        for code in SCOPES:
            for label, cond in (("before: startswith", old_condition), ("now: range", under)):
                query = Person.select(fn.COUNT(Person.id)).where(cond(Person.desa, code))
                with db.atomic() as txn:
                    if analyze and cond is old_condition:
                        db.execute_sql("DROP INDEX IF EXISTS person_desa_code_c")
                    query.scalar()  # warm: the time below is the second run
                    began = time.perf_counter()
                    count = query.scalar()
                    took = (time.perf_counter() - began) * 1000
                    print(f"\n== {backend} · scope {code} · {label}: {count} persons in {took:.1f} ms")
                    print("   " + query.sql()[0].split(" WHERE ", 1)[1])
                    for line in _explain(db, query, analyze):
                        print("   " + str(line))
                    txn.rollback()
        db.close()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--postgresql")
    p.add_argument("--sqlite")
    args = p.parse_args(argv)
    if args.postgresql:
        report("postgresql", args.postgresql)
    if args.sqlite:
        report("sqlite", args.sqlite)


if __name__ == "__main__":
    main()
