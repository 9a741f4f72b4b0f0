"""A synthetic registry for demos and tests: Faker names, consistent NIKs.

Never real people. Deterministic for a given seed, so a demo or a failing
test can be reproduced.
"""

import random
from datetime import timedelta

from faker import Faker

from .. import clock
from ..db import flask_db, is_sqlite
from .models import Enrollment, Household, Person, Region
from .programs import (
    ACTIVE,
    DTSEN_NOTES,
    ENDED,
    ENDED_REASONS,
    HEALTH,
    INACTIVE,
    KPD_STATUSES,
    PBI_NOTES,
    kind_of,
    quarter_of,
    quarter_start,
    seed_programs,
)

# Kecamatan always included so the README's examples keep working:
# Beji (Kota Depok) and Abenaho (Yalimo, 108 desa).
ANCHOR_KECAMATAN = ("32.76.06", "95.06.03")
BATCH = 1000  # households per transaction
INSERT_ROWS = 500  # rows per INSERT statement (stays under SQLite's variable limit)
STAGE_WEIGHTS = (("PENETAPAN", 2), ("PROSES_BANK", 2), ("SP2D", 3), ("SUDAH_TRANSAKSI", 5))
# Every code the generator writes has a plain sentence in registry.programs
# (tests/test_result_truth.py renders each one).
ENDED_CODES = tuple(ENDED_REASONS)
DTSEN_CODES = tuple(DTSEN_NOTES)
KPD_CODES = tuple(KPD_STATUSES)
PBI_ACTIVE_NOTES = ("APBN", "REAKTIVASI")
PBI_INACTIVE_NOTES = tuple(c for c in PBI_NOTES if c not in PBI_ACTIVE_NOTES)
JOBS = ("Petani", "Buruh harian lepas", "Nelayan", "Pedagang kecil", "Ibu rumah tangga",
        "Tidak bekerja", "Pelajar", "Sopir", "Tukang bangunan", "Karyawan swasta")


class _Ids:
    def __init__(self, model):
        self.next = (model.select(model.id).order_by(model.id.desc()).scalar() or 0) + 1

    def take(self):
        value = self.next
        self.next += 1
        return value


class Generator:
    def __init__(self, seed, today=None):
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible by seed
        self.fake = Faker("id_ID")
        self.fake.seed_instance(seed)
        self.today = today or clock.today()
        self.used_nik = {n for (n,) in Person.select(Person.nik).tuples()}
        self.used_kk = {k for (k,) in Household.select(Household.no_kk).tuples()}

    # -- people ---------------------------------------------------------------
    def name(self, sex, adult):
        rng, fake = self.rng, self.fake
        first = fake.first_name_male() if sex == "L" else fake.first_name_female()
        # Single names are common on KTPs.
        name = first if rng.random() < 0.12 else f"{first} {fake.last_name()}"
        if adult and rng.random() < 0.06:
            name = ("H. " if sex == "L" else "Hj. ") + name
        elif adult and rng.random() < 0.02:
            name = f"{name}, {rng.choice(('S.Pd', 'S.E.', 'A.Md'))}"
        return name

    def nik(self, kecamatan, birth, sex):
        prefix = kecamatan.replace(".", "")
        day = birth.day + (40 if sex == "P" else 0)
        stem = f"{prefix}{day:02d}{birth.month:02d}{birth.year % 100:02d}"
        while True:
            candidate = f"{stem}{self.rng.randint(1, 9999):04d}"
            if candidate not in self.used_nik:
                self.used_nik.add(candidate)
                return candidate

    def no_kk(self, kecamatan):
        while True:
            issued = self.today - timedelta(days=self.rng.randint(30, 365 * 15))
            candidate = (f"{kecamatan.replace('.', '')}{issued.day:02d}{issued.month:02d}"
                         f"{issued.year % 100:02d}{self.rng.randint(1, 9999):04d}")
            if candidate not in self.used_kk:
                self.used_kk.add(candidate)
                return candidate

    def birth(self, min_age, max_age):
        age_days = self.rng.randint(min_age * 365 + 1, max_age * 365 + 300)
        return self.today - timedelta(days=age_days)

    def members(self):
        rng = self.rng
        head_sex = "L" if rng.random() < 0.78 else "P"
        head_birth = self.birth(22, 78)
        people = [("Kepala Keluarga", head_sex, head_birth)]
        if head_sex == "L" and rng.random() < 0.85:
            people.append(("Istri", "P", self.birth(20, 70)))
        for _ in range(rng.choice((0, 1, 1, 2, 2, 2, 3, 3, 4))):
            people.append(("Anak", rng.choice("LP"), self.birth(0, 22)))
        if rng.random() < 0.1:
            people.append(("Orang Tua", rng.choice("LP"), self.birth(65, 90)))
        return people

    def desil(self):
        if self.rng.random() < 0.08:
            return None
        return self.rng.choices(range(1, 11), weights=(14, 14, 13, 12, 11, 9, 8, 7, 6, 6))[0]

    def person_notes(self, desil):
        """Keterangan DTSEN and status KPD for one person."""
        rng = self.rng
        if desil is None:
            note = rng.choice(("PERLU_PEMUTAKHIRAN", "BELUM_PADAN", None))
        else:
            note = rng.choices(DTSEN_CODES, weights=(85, 8, 4, 3))[0]
        kpd = None if desil is None else ("YA" if desil <= 5 and rng.random() < 0.7 else "TIDAK")
        return {"dtsen_note": note, "kpd_status": kpd}

    # -- enrollments ------------------------------------------------------------
    def enrollments(self, hh_id, desil, persons, year, quarter):
        rng = self.rng
        rows = []
        if desil is None:
            return rows
        now = clock.utcnow()

        def add(program, person_id=None):
            ended = rng.random() < 0.05
            row = {"household": hh_id, "person": person_id, "program": program, "year": year,
                   "quarter": quarter, "status": "TIDAK" if ended else "YA", "ended_reason": None,
                   "since": None, "note": None, "created_at": now}
            if kind_of(program) == HEALTH:
                # A membership: active since a quarter's first day, or inactive with a note.
                since_year = year - rng.randint(0, 4)
                row.update(stage=INACTIVE if ended else ACTIVE,
                           since=quarter_start(since_year, rng.randint(1, 4)) if not ended else None,
                           note=rng.choice(PBI_INACTIVE_NOTES if ended else PBI_ACTIVE_NOTES))
                if row["since"] and row["since"] > self.today:
                    row["since"] = quarter_start(year, 1)
            else:
                row["stage"] = ENDED if ended else rng.choices(
                    [s for s, _w in STAGE_WEIGHTS], weights=[w for _s, w in STAGE_WEIGHTS])[0]
                row["ended_reason"] = rng.choice(ENDED_CODES) if ended else None
            rows.append(row)

        ages = [(pid, (self.today - birth).days // 365) for pid, birth in persons]
        has_dependants = any(a < 18 or a >= 60 for _p, a in ages)
        if desil <= 4 and has_dependants and rng.random() < 0.65:
            add("PKH")
        if desil <= 5 and rng.random() < 0.7:
            add("SEMBAKO")
        if desil <= 4 and rng.random() < 0.15:
            add("BLT")
        if desil <= 5 and rng.random() < 0.8:
            for pid, _age in ages:
                add("PBI-JK", pid)
        if desil <= 5:
            for pid, age in ages:
                if 6 <= age <= 18 and rng.random() < 0.5:
                    add("PIP", pid)
        return rows

    # -- the whole registry -----------------------------------------------------
    def pick_desa(self, households):
        kecamatan = list(ANCHOR_KECAMATAN)
        all_kec = [c for (c,) in Region.select(Region.code).where(Region.level == 3).tuples()]
        extra = max(0, households // 500 - len(kecamatan))
        kecamatan += self.rng.sample(all_kec, min(extra, len(all_kec)))
        desa = [c for (c,) in Region.select(Region.code)
                .where((Region.level == 4) & (Region.parent.in_(kecamatan))).order_by(Region.code).tuples()]
        if not desa:
            raise RuntimeError("Tabel wilayah masih kosong: jalankan `flask load-regions` lebih dulu.")
        return desa

    def run(self, households, progress=None):
        seed_programs()
        desa_codes = self.pick_desa(households)
        hh_ids, person_ids = _Ids(Household), _Ids(Person)
        year, quarter = quarter_of(self.today)
        prev = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
        hh_rows, person_rows, enrol_rows = [], [], []
        db = flask_db.database
        done = 0

        def flush():
            with db.atomic():
                for model, rows in ((Household, hh_rows), (Person, person_rows), (Enrollment, enrol_rows)):
                    for start in range(0, len(rows), INSERT_ROWS):
                        model.insert_many(rows[start:start + INSERT_ROWS]).execute()
                    rows.clear()

        for i in range(households):
            desa = desa_codes[i % len(desa_codes)] if i < len(desa_codes) else self.rng.choice(desa_codes)
            kecamatan = desa.rsplit(".", 1)[0]
            hh_id = hh_ids.take()
            desil = self.desil()
            hh_rows.append({"id": hh_id, "no_kk": self.no_kk(kecamatan), "desa": desa,
                            "address": f"{self.fake.street_name()} RT {self.rng.randint(1, 15):03d}"
                                       f"/RW {self.rng.randint(1, 12):03d}",
                            "desil": desil, "updated_at": clock.utcnow()})
            persons = []
            for relationship, sex, birth in self.members():
                pid = person_ids.take()
                name = self.name(sex, relationship != "Anak")
                person_rows.append({"id": pid, "nik": self.nik(kecamatan, birth, sex), "name": name,
                                    "name_norm": Person.normalized(name), "birth_date": birth, "sex": sex,
                                    "household": hh_id, "desa": desa, "relationship": relationship,
                                    **self.person_notes(desil)})
                persons.append((pid, birth))
            for y, q in (prev, (year, quarter)):
                enrol_rows.extend(self.enrollments(hh_id, desil, persons, y, q))
            done += 1
            if len(hh_rows) >= BATCH:
                flush()
                if progress:
                    progress(done)
                done = 0
        flush()
        if progress and done:
            progress(done)
        if not is_sqlite(db):
            for table in ("household", "person", "enrollment"):
                # Rows were inserted with explicit ids: move the sequence past them.
                db.execute_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - fixed names
                               f"(SELECT COALESCE(MAX(id), 1) FROM {table}))")
        return hh_ids.next - 1, person_ids.next - 1


def examples(limit=3):
    """A few (desa path, name, NIK) to try, each receiving something now."""
    year, quarter = quarter_of(clock.today())
    query = (Person.select(Person.name, Person.nik, Region.code, Region.name)
             .join(Region, on=(Person.desa == Region.code))
             .switch(Person)
             .join(Enrollment, on=((Enrollment.household == Person.household)
                                   & (Enrollment.year == year) & (Enrollment.quarter == quarter)
                                   & (Enrollment.status == "YA")))
             .where((Person.relationship == "Kepala Keluarga") & (Region.parent == ANCHOR_KECAMATAN[0]))
             .group_by(Person.id, Person.name, Person.nik, Region.code, Region.name)
             .order_by(Person.id).limit(limit).tuples())
    return list(query)
