"""Registry import: a CSV or Excel file of households, persons and
enrollments (format in docs/import-format.md; reading the file is
fileformat.py's). Every row is checked first; a file with any bad row
changes nothing, a good file is applied in one transaction."""

import json
import logging
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l

from .. import clock
from ..akun import audit, roles
from ..akun.models import Account
from ..db import atomic_write
from ..forms import clean_text
from ..i18n import gettext as _
from ..identity import check_nik, clean_kk, kk_problem
from ..registry import bulk
from ..registry.models import Enrollment, Household, Person, Program, Region
from ..registry.programs import (
    ACTIVE,
    DTSEN_NOTES,
    ENDED,
    ENDED_REASONS,
    HEALTH,
    KIND_LABELS,
    KPD_STATUSES,
    PBI_NOTES,
    first_stage,
    stages_for,
)
from ..tasks import enqueue
from ..usulan.forms import RELATIONSHIPS
from . import fileformat
from .models import ImportJob, ImportUpload

log = logging.getLogger(__name__)

COLUMNS = ("no_kk", "nik", "nama", "tanggal_lahir", "jenis_kelamin", "hubungan", "kode_desa", "alamat",
           "desil", "program", "tahun", "triwulan", "status", "tahap")
# Optional columns (docs/import-format.md): a membership's start and
# keterangan, an ended program's reason, and the person's keterangan DTSEN
# and status KPD. A file without them leaves those fields as they are.
OPTIONAL = ("sejak", "keterangan", "keterangan_dtsen", "status_kpd")
PERSON_NOTES = ("keterangan_dtsen", "status_kpd")
MAX_ROWS = 200_000


@dataclass
class Report:
    total: int = 0
    errors: list = field(default_factory=list)  # (line, message)
    rows: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors


class _Checker:
    def __init__(self, within=None):
        # `within(code)` says whether a desa is in the importer's region (None: any).
        self.within = within
        self.programs = {p.code: p for p in Program.select()}
        self.desa_ok = {}
        self.persons = {}  # nik → the person fields first seen
        self.households = {}  # no_kk → (desa, desil)
        # A person has a line per program, and names repeat: check each once.
        self.niks = {}
        self.names = {}

    def nik(self, raw):
        found = self.niks.get(raw)
        if found is None:
            found = self.niks[raw] = check_nik(raw)
        return found

    def name_norm(self, name):
        found = self.names.get(name)
        if found is None:
            found = self.names[name] = Person.normalized(name)
        return found

    def desa(self, code):
        if code not in self.desa_ok:
            region = Region.get_or_none(Region.code == code)
            self.desa_ok[code] = region is not None and region.level == 4
        return self.desa_ok[code]

    def row(self, r):
        """The cleaned row, or the first thing wrong with it."""
        problem = kk_problem(r["no_kk"], label="no_kk")  # the rule the citizen's forms use
        if problem:
            return None, problem
        no_kk = clean_kk(r["no_kk"])
        nik = self.nik(r["nik"])
        if not nik.ok:
            return None, _("nik: %(error)s", error=nik.error)
        name = clean_text(r["nama"])
        name_norm = self.name_norm(name) if name else ""
        if not name_norm or len(name) > 120:
            return None, _("nama kosong, terlalu panjang (lebih dari 120) atau tanpa huruf.")
        try:
            born = date.fromisoformat(r["tanggal_lahir"].strip())
        except ValueError:
            return None, _("tanggal_lahir harus bertulis TTTT-BB-HH, contoh 1975-08-17.")
        if born != nik.birth_date:
            return None, _("tanggal_lahir tidak sama dengan tanggal lahir pada NIK.")
        sex = r["jenis_kelamin"].strip().upper()
        if sex not in ("L", "P") or sex != nik.sex:
            return None, _("jenis_kelamin harus L atau P dan sesuai NIK.")
        relation = clean_text(r["hubungan"]) or "Kepala Keluarga"
        if relation not in RELATIONSHIPS:
            return None, _("hubungan tidak dikenal; pakai salah satu: %(list)s.",
                           list=", ".join(RELATIONSHIPS))
        desa = r["kode_desa"].strip()
        if not self.desa(desa):
            return None, _("kode_desa %(code)s bukan kode desa/kelurahan yang dikenal.", code=desa[:20])
        if self.within is not None and not self.within(desa):
            return None, _("kode_desa %(code)s di luar wilayah Anda.", code=desa)
        address = clean_text(r["alamat"])
        if not address or len(address) > 200:
            return None, _("alamat kosong atau lebih dari 200 karakter.")
        desil_text = r["desil"].strip()
        if desil_text and not (desil_text.isdigit() and 1 <= int(desil_text) <= 10):
            return None, _("desil harus 1–10 atau kosong.")
        desil = int(desil_text) if desil_text else None
        program = r["program"].strip().upper()
        enrol = None
        if program:
            if program not in self.programs:
                return None, _("program %(code)s tidak dikenal.", code=program[:20])
            year, quarter = r["tahun"].strip(), r["triwulan"].strip()
            if not (year.isdigit() and 2000 <= int(year) <= 2100):
                return None, _("tahun harus empat angka, contoh 2026.")
            if quarter not in ("1", "2", "3", "4"):
                return None, _("triwulan harus 1, 2, 3 atau 4.")
            status = r["status"].strip().upper()
            if status not in ("YA", "TIDAK"):
                return None, _("status harus YA atau TIDAK.")
            enrol, error = self.enrolment(self.programs[program], int(year), int(quarter), status, r)
            if error:
                return None, error
        notes, error = self.person_notes(r)
        if error:
            return None, error
        person = (no_kk, name, born, sex, relation, tuple(sorted(notes.items())))
        seen = self.persons.setdefault(nik.nik, person)
        if seen != person:
            return None, _("NIK ini muncul lagi dengan data orang yang berbeda.")
        household = self.households.setdefault(no_kk, (desa, desil))
        if household != (desa, desil):
            return None, _("no_kk ini muncul lagi dengan kode_desa atau desil yang berbeda.")
        return {"no_kk": no_kk, "nik": nik.nik, "name": name, "name_norm": name_norm, "birth_date": born,
                "sex": sex, "relationship": relation, "desa": desa, "address": address, "desil": desil,
                "enrol": enrol, **notes}, None

    def enrolment(self, program, year, quarter, status, r):
        """(program, year, quarter, status, stage, since, note, ended reason)
        checked against the program's kind: a membership (PBI-JK) is AKTIF or
        NONAKTIF, never a money stage; money programs never AKTIF/NONAKTIF."""
        kind = program.kind or "tunai"
        allowed = stages_for(kind)
        stage = r["tahap"].strip().upper() or first_stage(kind)
        if stage not in allowed:
            return None, _("tahap %(stage)s tidak berlaku untuk %(program)s (%(kind)s); pakai salah satu "
                           "dari: %(list)s.", stage=stage[:20], program=program.code,
                           kind=str(KIND_LABELS[kind]), list=", ".join(allowed))
        if kind == HEALTH and (stage == ACTIVE) != (status == "YA"):
            return None, _("%(program)s: status YA berarti tahap AKTIF, status TIDAK berarti tahap NONAKTIF.",
                           program=program.code)
        since_text = r.get("sejak", "").strip()
        since = None
        if since_text:
            if kind != HEALTH:
                return None, _("sejak hanya untuk kepesertaan jaminan kesehatan (PBI-JK).")
            try:
                since = date.fromisoformat(since_text)
            except ValueError:
                return None, _("sejak harus bertulis TTTT-BB-HH, contoh 2024-07-01.")
        code = r.get("keterangan", "").strip().upper()
        note = ended_reason = None
        if code and kind == HEALTH:
            if code not in PBI_NOTES:
                return None, _("keterangan %(program)s harus salah satu dari: %(list)s.",
                               program=program.code, list=", ".join(PBI_NOTES))
            note = code
        elif code:
            reasons = {c.upper(): c for c in ENDED_REASONS}
            if stage != ENDED or code not in reasons:
                return None, _("keterangan untuk %(program)s hanya alasan berhenti pada tahap DIHENTIKAN: "
                               "%(list)s.", program=program.code, list=", ".join(ENDED_REASONS))
            ended_reason = reasons[code]
        return (program.code, year, quarter, status, stage, since, note, ended_reason), None

    def person_notes(self, r):
        """Keterangan DTSEN and status KPD, when the file has those columns."""
        notes = {}
        for column, table, field_name in (("keterangan_dtsen", DTSEN_NOTES, "dtsen_note"),
                                          ("status_kpd", KPD_STATUSES, "kpd_status")):
            if column not in r:
                continue
            code = r[column].strip().upper()
            if code and code not in table:
                return None, _("%(column)s harus kosong atau salah satu dari: %(list)s.", column=column,
                               list=", ".join(table))
            notes[field_name] = code or None
        return notes, None


def check(raw, within=None, progress=None):
    """Reads and checks the whole file: a Report with the cleaned rows or
    (line number, reason) for every bad one. Line 1 is the header."""
    report = Report()
    table = fileformat.read(raw)
    if table.error:
        report.errors.append((0, table.error))
        return report
    header = table.header
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        report.errors.append((1, _("Kolom tidak ada: %(cols)s.", cols=", ".join(missing))))
        return report
    checker = _Checker(within)
    for number, r, refusal in table.rows:
        if report.total + 1 > MAX_ROWS:
            report.errors.append((number, _("Terlalu banyak baris (paling banyak %(n)d).", n=MAX_ROWS)))
            break
        report.total += 1
        if refusal:
            report.errors.append((number, refusal))
        elif r is None:
            report.errors.append((number, _("Jumlah kolom tidak sesuai judul.")))
        else:
            row, error = checker.row(r)
            if error:
                report.errors.append((number, error))
            else:
                row["line"] = number
                report.rows.append(row)
        if progress and report.total % 500 == 0:
            progress(report.total)
    if report.total == 0 and not report.errors:
        report.errors.append((1, _("Berkas tidak berisi baris data.")))
    if within is not None and report.rows:
        report.errors.extend(_outside(report.rows, within))
        report.errors.sort()
    return report


def _outside(rows, within):
    """(line, reason) for lines that would change a household or person the
    registry already places outside the importer's region: a file may only
    touch records of the region it is imported for."""
    households = dict(bulk.select_in(Household, (Household.no_kk, Household.desa), Household.no_kk,
                                     {row["no_kk"] for row in rows}))
    persons = dict(bulk.select_in(Person, (Person.nik, Person.desa), Person.nik,
                                  {row["nik"] for row in rows}))
    errors = []
    for row in rows:
        if households.get(row["no_kk"], row["desa"]) != row["desa"] and not within(households[row["no_kk"]]):
            errors.append((row["line"], _("no_kk ini sudah terdaftar di desa di luar wilayah Anda.")))
        elif persons.get(row["nik"], row["desa"]) != row["desa"] and not within(persons[row["nik"]]):
            errors.append((row["line"], _("nik ini sudah terdaftar di desa di luar wilayah Anda.")))
    return errors


def apply(rows):
    """Writes every checked row in one transaction: all or nothing.

    Set-based rather than row by row: the existing households, persons and
    enrollments are read in chunks, then new rows are inserted and known ones
    updated with one prepared statement per table (registry.bulk). Within the
    file, the first line of a household gives its address and the last line
    of an enrollment its status — as if the lines were applied in order."""
    now = clock.utcnow()
    households, persons, enrolments = {}, {}, {}
    per_person = {p.code for p in Program.select(Program.code).where(Program.per_person)}
    for row in rows:
        households.setdefault(row["no_kk"], (row["desa"], row["address"], row["desil"]))
        persons[row["nik"]] = row
        if row["enrol"]:
            code, year, quarter, *value = row["enrol"]
            nik = row["nik"] if code in per_person else None
            enrolments[(row["no_kk"], nik, code, year, quarter)] = tuple(value)
    with atomic_write("import"):
        household_ids = _write_households(households, now)
        person_ids = _write_persons(persons, household_ids, households)
        _write_enrolments(enrolments, household_ids, person_ids, now)
    return len(rows)


def _write_households(households, now):
    known = bulk.ids_by(Household, Household.no_kk, households)
    bulk.update(Household, ("desa", "address", "desil", "updated_at"),
                ((*households[kk], now, hid) for kk, hid in known.items()))
    bulk.insert(Household, ("no_kk", "desa", "address", "desil", "updated_at"),
                ((kk, *v, now) for kk, v in households.items() if kk not in known))
    return {**known, **bulk.ids_by(Household, Household.no_kk, [kk for kk in households if kk not in known])}


def _write_persons(persons, household_ids, households):
    # The notes only when the file has their columns (a row has all or none).
    notes = tuple(n for n in ("dtsen_note", "kpd_status") if n in next(iter(persons.values()), {}))
    names = ("name", "name_norm", "birth_date", "sex", "household", "desa", "relationship", *notes)

    def values(row):
        return (row["name"], row["name_norm"], row["birth_date"], row["sex"],
                household_ids[row["no_kk"]], households[row["no_kk"]][0], row["relationship"],
                *(row[n] for n in notes))

    known = bulk.ids_by(Person, Person.nik, persons)
    bulk.update(Person, names, ((*values(persons[nik]), pid) for nik, pid in known.items()))
    bulk.insert(Person, ("nik", *names),
                ((nik, *values(row)) for nik, row in persons.items() if nik not in known))
    return {**known, **bulk.ids_by(Person, Person.nik, [nik for nik in persons if nik not in known])}


def _write_enrolments(enrolments, household_ids, person_ids, now):
    """One enrollment per (household, person, program, period): updated when
    it exists (and no longer ended), inserted otherwise."""
    wanted = {(household_ids[kk], person_ids[nik] if nik else None, code, year, quarter): value
              for (kk, nik, code, year, quarter), value in enrolments.items()}
    fields = (Enrollment.household, Enrollment.person, Enrollment.program, Enrollment.year,
              Enrollment.quarter, Enrollment.id)
    known = {tuple(row[:5]): row[5]
             for row in bulk.select_in(Enrollment, fields, Enrollment.household, {key[0] for key in wanted})}
    bulk.update(Enrollment, ("status", "stage", "since", "note", "ended_reason"),
                ((*value, known[key]) for key, value in wanted.items() if key in known))
    bulk.insert(Enrollment, ("household", "person", "program", "year", "quarter", "status", "stage",
                             "since", "note", "ended_reason", "created_at"),
                ((*key, *value, now) for key, value in wanted.items() if key not in known))


def run(raw, within=None, progress=None):
    """Checks, then applies only a file without errors. Returns the Report."""
    report = check(raw, within, progress)
    if report.ok:
        apply(report.rows)
    return report


# What a job whose uploaded file is gone ends with (its only report line).
MISSING_INPUT = _l("Berkas impor tidak ditemukan lagi (mungkin sudah dihapus atau pernah diproses). "
                   "Unggah lagi seluruh berkas.")


def start_job(officer, raw):
    """Keeps the upload in the database with its job row (one transaction,
    so any consumer on any host finds it), then queues the import."""
    with atomic_write(f"import-upload:{officer.id}"):
        job = ImportJob.create(officer_id=officer.id, total=max(raw.count(b"\n") - 1, 0))
        ImportUpload.create(job=job, data=raw)
    enqueue("petugas_import", job.public_id)
    return job


def _fail(job, message):
    """Only a job not yet finished: a run ending at the same moment wins."""
    ImportJob.update(status="gagal", finished_at=clock.utcnow(),
                     report=json.dumps([[0, str(message)]])).where(
        (ImportJob.id == job.id) & ImportJob.status.in_(("menunggu", "berjalan"))).execute()


def settle(job):
    """A job still waiting or running whose input is gone can never finish:
    ends it as failed with a message (the status page calls this, so a lost
    input shows as failed, not "menunggu" forever). Returns the job afresh."""
    if job.status in ("menunggu", "berjalan") and not ImportUpload.select().where(
            ImportUpload.job == job.id).exists():
        _fail(job, MISSING_INPUT)
        return ImportJob.get_by_id(job.id)
    return job


def run_job(job_id):
    """The queued web import: checks within the officer's region, writes
    progress and the report to the job row, then removes the upload."""
    job = ImportJob.get_or_none(ImportJob.public_id == job_id)
    if job is None:
        return None
    officer = Account.get_by_id(job.officer_id)
    upload = ImportUpload.get_or_none(ImportUpload.job == job.id)
    if upload is None:
        log.warning("import job %s has no input; marked failed", job.public_id)
        _fail(job, MISSING_INPUT)
        return None
    raw = bytes(upload.data)

    def progress(done):
        ImportJob.update(done=done).where(ImportJob.id == job.id).execute()

    ImportJob.update(status="berjalan").where(ImportJob.id == job.id).execute()
    try:
        report = run(raw, lambda code: roles.covers(officer, code), progress)
    except Exception:
        ImportJob.update(status="gagal", finished_at=clock.utcnow()).where(ImportJob.id == job.id).execute()
        ImportUpload.delete().where(ImportUpload.job == job.id).execute()
        raise
    ImportJob.update(status="selesai" if report.ok else "gagal", total=report.total, done=report.total,
                     applied=len(report.rows) if report.ok else 0,
                     report=json.dumps(report.errors[:500]),
                     finished_at=clock.utcnow()).where(ImportJob.id == job.id).execute()
    # The input goes only once the job says how it ended (see settle()).
    ImportUpload.delete().where(ImportUpload.job == job.id).execute()
    audit.record(officer, "impor" if report.ok else "impor_ditolak", "impor", job.public_id,
                 detail=f"baris:{len(report.rows) if report.ok else 0} salah:{len(report.errors)}")
    return report
