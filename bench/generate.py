"""A fast synthetic registry for benchmarks: N persons (about N/3.8 households)
in the app's exact schema, on SQLite or PostgreSQL.

The app's Generator (webapp/registry/demo.py) calls Faker for every row; here
Faker only fills name pools once, rows are plain tuples, and they are written
with the raw driver: executemany in big transactions with the journal off on
SQLite, COPY on PostgreSQL. Secondary indexes (and, on PostgreSQL, foreign
keys) are dropped after the app creates the schema and rebuilt from their own
definitions after the load, so the result is the app's schema exactly.

    .venv/bin/python -m bench.generate --backend sqlite --persons 1000000 \
        --out /tmp/bench/s1m/cekbansos.sqlite3
    .venv/bin/python -m bench.generate --backend postgresql --persons 1000000 \
        --out postgresql://postgres@127.0.0.1:5432/bench_1m
"""

import argparse
import os
import random
import sqlite3
import time
from datetime import date, datetime

from faker import Faker

from webapp import create_app
from webapp.db import flask_db
from webapp.identity import normalize_name
from webapp.migrations import create_schema
from webapp.registry.programs import quarter_of, seed_programs
from webapp.registry.regions import load_regions

ANCHOR_KECAMATAN = ("32.76.06", "95.06.03")  # Beji (Depok), Abenaho (108 desa)
PERSONS_PER_KECAMATAN = 2000  # like the demo: 500 households per kecamatan
TABLES = ("household", "person", "enrollment")
COLUMNS = {
    "household": ("id", "no_kk", "desa_code", "address", "desil", "updated_at"),
    "person": ("id", "nik", "name", "name_norm", "birth_date", "sex", "household_id", "desa_code",
               "relationship"),
    "enrollment": ("id", "household_id", "person_id", "program_code", "year", "quarter", "status",
                   "stage", "ended_reason", "created_at"),
}
STAGES = ("PENETAPAN",) * 2 + ("PROSES_BANK",) * 2 + ("SP2D",) * 3 + ("SUDAH_TRANSAKSI",) * 5
ENDED = ("EXCLUDE – MAMPU", "EXCLUDE – MENINGGAL", "EXCLUDE – PINDAH", "EXCLUDE – GANDA")
DESIL = [d for d, w in zip(range(1, 11), (14, 14, 13, 12, 11, 9, 8, 7, 6, 6), strict=True) for _ in range(w)]
CHILDREN = (0, 1, 1, 2, 2, 2, 3, 3, 4)
DEGREES = ("S.Pd", "S.E.", "A.Md")
FLUSH_PERSONS = 250_000


def bench_app(backend, out):
    """The app pointed at the benchmark database (SQLite: the file `out`, with
    the app's own pragmas; PostgreSQL: the URL `out`)."""
    if backend == "sqlite":
        config = {"INSTANCE_PATH": os.path.dirname(os.path.abspath(out)),
                  "SQLITE_FILENAME": os.path.basename(out)}
    else:
        instance = "/tmp/bench/instance-pg"  # noqa: S108 - benchmark scratch space
        # A PostgreSQL installation refuses to start without a keyring file.
        config = {"INSTANCE_PATH": instance, "DATABASE_URL": out,
                  "ENCRYPTION_KEY_FILE": os.environ.get("FLASK_ENCRYPTION_KEY_FILE")
                  or os.path.join(instance + "-keys", "keyring")}
    return create_app({"SECRET_KEY": "bench-secret", **config})


class Pools:
    """Names from Faker id_ID, drawn once; repeats keep Faker's frequencies."""

    def __init__(self, seed, size=3000):
        fake = Faker("id_ID")
        fake.seed_instance(seed)
        self.male = [fake.first_name_male() for _ in range(size)]
        self.female = [fake.first_name_female() for _ in range(size)]
        self.last = [fake.last_name() for _ in range(size)]
        self.street = [fake.street_name() for _ in range(500)]
        self._norm = {}

    def norm(self, name):
        value = self._norm.get(name)
        if value is None:
            value = self._norm[name] = normalize_name(name)
        return value


class Rows:
    """Households, persons and current-quarter enrollments, one kecamatan at a time."""

    def __init__(self, seed, today=None):
        self.rng = random.Random(seed)
        self.pools = Pools(seed)
        self.today = today or date.today()
        self.today_ord = self.today.toordinal()
        self.year, self.quarter = quarter_of(self.today)
        self.now = str(datetime.now().replace(microsecond=0))
        self.ids = {t: 0 for t in TABLES}
        self._days = {}

    def _day(self, ordinal):
        """(ISO date, DDMMYY) of a day, cached: there are only ~33,000 of them."""
        value = self._days.get(ordinal)
        if value is None:
            d = date.fromordinal(ordinal)
            value = self._days[ordinal] = (d.isoformat(), d.day, f"{d.month:02d}{d.year % 100:02d}")
        return value

    def _name(self, sex, adult):
        rng, pools = self.rng, self.pools
        first = rng.choice(pools.male if sex == "L" else pools.female)
        name = first if rng.random() < 0.12 else f"{first} {rng.choice(pools.last)}"
        if adult:
            r = rng.random()
            if r < 0.06:
                name = ("H. " if sex == "L" else "Hj. ") + name
            elif r < 0.08:
                name = f"{name}, {rng.choice(DEGREES)}"
        return name

    def kecamatan(self, kec, desas, persons, out):
        """Appends rows for about `persons` persons living in `desas` to out[table]."""
        rng, randint, random_ = self.rng, self.rng.randint, self.rng.random
        prefix = kec.replace(".", "")
        serials, kk_serials = {}, {}
        households, people, enrollments = out["household"], out["person"], out["enrollment"]
        ids = self.ids
        made = 0
        while made < persons:
            desa = desas[randint(0, len(desas) - 1)]
            ids["household"] += 1
            hh = ids["household"]
            iso_kk, day_kk, rest_kk = self._day(self.today_ord - randint(30, 365 * 15))
            stem = f"{prefix}{day_kk:02d}{rest_kk}"
            kk_serials[stem] = serial = kk_serials.get(stem, randint(0, 50)) + 1
            desil = None if random_() < 0.08 else DESIL[randint(0, 99)]
            address = f"{rng.choice(self.pools.street)} RT {randint(1, 15):03d}/RW {randint(1, 12):03d}"
            households.append((hh, f"{stem}{serial:04d}", desa, address, desil, self.now))
            head = "L" if random_() < 0.78 else "P"
            members = [("Kepala Keluarga", head, 22, 78)]
            if head == "L" and random_() < 0.85:
                members.append(("Istri", "P", 20, 70))
            for _ in range(CHILDREN[randint(0, 8)]):
                members.append(("Anak", "L" if random_() < 0.5 else "P", 0, 22))
            if random_() < 0.1:
                members.append(("Orang Tua", "L" if random_() < 0.5 else "P", 65, 90))
            ages = []
            for relationship, sex, lo, hi in members:
                ids["person"] += 1
                pid = ids["person"]
                age_days = randint(lo * 365 + 1, hi * 365 + 300)
                iso, day, rest = self._day(self.today_ord - age_days)
                stem = f"{prefix}{day + 40 if sex == 'P' else day:02d}{rest}"
                serials[stem] = serial = serials.get(stem, 0) + randint(1, 3)
                name = self._name(sex, relationship != "Anak")
                people.append((pid, f"{stem}{serial:04d}", name, self.pools.norm(name), iso, sex, hh, desa,
                               relationship))
                ages.append((pid, age_days // 365))
            made += len(members)
            if desil is not None and desil <= 5:
                self._enrol(hh, desil, ages, enrollments)
        return made

    def _enrol(self, hh, desil, ages, out):
        random_, ids = self.rng.random, self.ids

        def add(program, person=None):
            ids["enrollment"] += 1
            if program == "PBI-JK":  # a membership: AKTIF / NONAKTIF, never a money stage
                active = random_() >= 0.05
                out.append((ids["enrollment"], hh, person, program, self.year, self.quarter,
                            "YA" if active else "TIDAK", "AKTIF" if active else "NONAKTIF", None, self.now))
            elif random_() < 0.05:
                out.append((ids["enrollment"], hh, person, program, self.year, self.quarter, "TIDAK",
                            "DIHENTIKAN", self.rng.choice(ENDED), self.now))
            else:
                out.append((ids["enrollment"], hh, person, program, self.year, self.quarter, "YA",
                            STAGES[self.rng.randint(0, 11)], None, self.now))

        if desil <= 4 and any(a < 18 or a >= 60 for _p, a in ages) and random_() < 0.65:
            add("PKH")
        if random_() < 0.7:
            add("SEMBAKO")
        if desil <= 4 and random_() < 0.15:
            add("BLT")
        if random_() < 0.8:
            for pid, _a in ages:
                add("PBI-JK", pid)
        for pid, age in ages:
            if 6 <= age <= 18 and random_() < 0.5:
                add("PIP", pid)


def plan(db, persons, rng):
    """[(kecamatan, [desa codes])]: persons/2000 kecamatan (the anchors first),
    as the demo spreads 500 households per kecamatan."""
    rows = db.execute_sql("SELECT parent_code, code FROM region WHERE level = 4 ORDER BY code").fetchall()
    by_kec = {}
    for kec, code in rows:
        by_kec.setdefault(kec, []).append(code)
    others = sorted(set(by_kec) - set(ANCHOR_KECAMATAN))
    wanted = max(len(ANCHOR_KECAMATAN), persons // PERSONS_PER_KECAMATAN)
    chosen = list(ANCHOR_KECAMATAN) + rng.sample(others, min(wanted - len(ANCHOR_KECAMATAN), len(others)))
    return [(kec, by_kec[kec]) for kec in chosen]


def generate_rows(kecs, persons, seed=1):
    """Yields {table: [rows]} batches of about FLUSH_PERSONS persons."""
    rows = Rows(seed)
    out = {t: [] for t in TABLES}
    made = pending = 0
    for i, (kec, desas) in enumerate(kecs):
        share = (persons - made) // (len(kecs) - i)
        n = rows.kecamatan(kec, desas, share, out)
        made += n
        pending += n
        if pending >= FLUSH_PERSONS:
            yield out
            out, pending = {t: [] for t in TABLES}, 0
    if pending:
        yield out


# -- writers ---------------------------------------------------------------------


class SqliteWriter:
    def __init__(self, path):
        self.conn = sqlite3.connect(path, isolation_level=None)
        c = self.conn
        self.indexes = c.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ('household', 'person', 'enrollment')").fetchall()
        for name, _sql in self.indexes:
            c.execute(f'DROP INDEX "{name}"')
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-1000000", "temp_store=MEMORY",
                       "locking_mode=EXCLUSIVE"):
            c.execute(f"PRAGMA {pragma}")
        self.sql = {t: f"INSERT INTO {t} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"  # noqa: S608
                    for t, cols in COLUMNS.items()}

    def write(self, batch):
        c = self.conn
        c.execute("BEGIN")
        for table in TABLES:
            c.executemany(self.sql[table], batch[table])
        c.execute("COMMIT")

    def finish(self):
        c = self.conn
        for _name, sql in self.indexes:
            c.execute(sql)
        c.execute("PRAGMA locking_mode=NORMAL")
        c.execute("PRAGMA journal_mode=WAL")
        c.close()


def _copy_text(rows):
    return "".join("\t".join(r"\N" if v is None else str(v) for v in row) + "\n" for row in rows)


class PostgresWriter:
    def __init__(self, url):
        import psycopg

        self.conn = psycopg.connect(url, autocommit=True)
        c = self.conn
        tables = list(TABLES)
        self.indexes = c.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype = 'p')",
            [tables]).fetchall()
        self.fkeys = c.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)", [tables]).fetchall()
        for table, name, _d in self.fkeys:
            c.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _d in self.indexes:
            c.execute(f'DROP INDEX "{name}"')
        c.execute("SET synchronous_commit = off")

    def write(self, batch):
        with self.conn.transaction(), self.conn.cursor() as cur:
            for table in TABLES:
                with cur.copy(f"COPY {table} ({', '.join(COLUMNS[table])}) FROM STDIN") as copy:
                    copy.write(_copy_text(batch[table]))

    def finish(self):
        c = self.conn
        c.execute("SET maintenance_work_mem = '1GB'")
        for _name, sql in self.indexes:
            c.execute(sql)
        for table, name, definition in self.fkeys:
            c.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for table in TABLES:
            c.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - fixed names
                      f"(SELECT COALESCE(MAX(id), 1) FROM {table}))")
        c.execute("VACUUM ANALYZE")
        c.close()


def database_size(backend, out):
    if backend == "sqlite":
        return sum(os.path.getsize(out + s) for s in ("", "-wal") if os.path.exists(out + s))
    import psycopg

    with psycopg.connect(out) as c:
        return c.execute("SELECT pg_database_size(current_database())").fetchone()[0]


def prepare(backend, out):
    """A fresh database with the app's schema, every region and the programs."""
    if backend == "sqlite":
        os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(out + suffix):
                os.remove(out + suffix)
    else:
        import psycopg

        base, name = out.rsplit("/", 1)
        if not name.startswith("bench_"):
            raise SystemExit("PostgreSQL benchmark databases must be named bench_*")
        with psycopg.connect(f"{base}/postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}"')
            c.execute(f'CREATE DATABASE "{name}"')
    app = bench_app(backend, out)
    with app.app_context():
        db = flask_db.database
        db.connect(reuse_if_open=True)
        create_schema()
        load_regions()
        seed_programs()
        db.close()
        # The app pools its connections: close them for real, so the bulk
        # writer (and a PostgreSQL template copy) finds the database free.
        if hasattr(db, "close_all"):
            db.close_all()
    return app


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--backend", choices=("sqlite", "postgresql"), required=True)
    p.add_argument("--persons", type=int, default=1_000_000)
    p.add_argument("--out", required=True, help="SQLite file path or postgresql:// URL (database bench_*)")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)

    t0 = time.perf_counter()
    app = prepare(args.backend, args.out)
    t_schema = time.perf_counter() - t0
    with app.app_context():
        db = flask_db.database
        db.connect(reuse_if_open=True)
        kecs = plan(db, args.persons, random.Random(args.seed))
        db.close()
        if hasattr(db, "close_all"):
            db.close_all()  # the writer below wants the database to itself
    writer = SqliteWriter(args.out) if args.backend == "sqlite" else PostgresWriter(args.out)
    counts = {t: 0 for t in TABLES}
    t1 = time.perf_counter()
    for batch in generate_rows(kecs, args.persons, args.seed):
        writer.write(batch)
        for t in TABLES:
            counts[t] += len(batch[t])
        print(f"  {counts['person']:>11,} persons  {time.perf_counter() - t1:7.1f} s", flush=True)
    t_load = time.perf_counter() - t1
    writer.finish()
    t_index = time.perf_counter() - t1 - t_load
    total = time.perf_counter() - t0
    size = database_size(args.backend, args.out)
    print(f"backend={args.backend} households={counts['household']:,} persons={counts['person']:,} "
          f"enrollments={counts['enrollment']:,}")
    print(f"schema+regions {t_schema:.1f} s, rows {t_load:.1f} s "
          f"({sum(counts.values()) / t_load:,.0f} rows/s), indexes+keys {t_index:.1f} s, "
          f"total {total:.1f} s ({total / 60:.1f} min); size {size / 2**20:,.0f} MiB")
    return {"counts": counts, "seconds": total, "rows_seconds": t_load, "index_seconds": t_index,
            "bytes": size}


if __name__ == "__main__":
    main()
