"""The lookup: exact, normalised name inside one desa, or a NIK."""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import get_locale
from peewee import DateField

from .. import cacheversion, clock
from ..db import flask_db
from ..i18n import gettext as _
from ..identity import age_on, mask_name, normalize_name
from ..kept import Kept
from ..registry.models import Program
from ..registry.programs import (
    FULL_NAMES,
    HEALTH,
    KIND_LABELS,
    date_label,
    desil_scale,
    desil_sentence,
    dtsen_label,
    dtsen_note_said,
    dtsen_sentence,
    ended_reason_said,
    kpd_said,
    pbi_note_said,
    period_label,
    quarter_of,
    stage_said,
)


@dataclass(frozen=True)
class ProgramLine:
    """One program for one person, every code already in plain words. Frozen:
    a worker shares one line among everyone with the same facts (_line)."""

    code: str
    name: str
    receives: bool
    period: str = ""
    stage: str = ""  # the stage's label, in the words of the program's kind
    explanation: str = ""
    ended_reason: str = ""  # why it ended, as a sentence (never the registry code)
    kind: str = ""
    kind_label: str = ""
    full_name: str = ""
    status_word: str = ""  # YA / TIDAK, or for a membership AKTIF / NONAKTIF
    next_step: str = ""
    since: str = ""  # a membership: active since (a date in words)
    note: str = ""  # a membership's keterangan, as a sentence
    stage_code: str = ""  # for machines (the contract face); pages use the words above
    # The facts the line was built from, with the language (see _line): the
    # key of its row of HTML too (cek.rows); empty for a line built apart.
    key: tuple = field(default=(), compare=False, repr=False)

    @property
    def membership(self):
        return self.kind == HEALTH


@dataclass
class PersonResult:
    masked_name: str
    age: int
    desil: int | None
    desa_name: str
    programs: list = field(default_factory=list)
    desil_sentence: str = ""
    dtsen_note: object = None  # registry.programs.Said, or None
    kpd: object = None  # registry.programs.Said, or None
    dtsen_note_code: str = ""
    kpd_code: str = ""

    def program(self, code):
        return next((line for line in self.programs if line.code == code), None)


@dataclass
class Lookup:
    dtsen: str
    people: list
    dtsen_explained: str = ""
    desil_scale: str = ""

    @property
    def found(self):
        return bool(self.people)


# The programs rarely change (seed_programs, at setup): each worker keeps
# them, per database, and drops them when the "programs" cache version moves
# (webapp.cacheversion), on every host within CACHE_CHECK_SECONDS.
_programs_cache = {}


def _clear_programs():
    _programs_cache.clear()


cacheversion.on_change("programs", _clear_programs)


def _programs():
    db = flask_db.database
    key = (id(db), db.database)
    programs = _programs_cache.get(key)
    if programs is None:
        programs = _programs_cache[key] = tuple(Program.select().order_by(Program.sort))
    return programs


class _Row:
    """A read-only row of the lookup's hot path: plain attributes, no model
    instance (the page, the API and the compatibility face read only these)."""

    def __init__(self, **values):
        self.__dict__.update(values)


# The lookup in one query, written once in the database's own parameter
# style (building it through the query builder on every request cost more
# than running it): the persons found (at most 20, by the index on
# (desa_code, name_norm) or on nik) with their households' enrollments for
# this quarter onwards (the index on (household_id, year, quarter)), one row
# per enrollment, a person without one on a row of their own. One statement
# instead of two: on PostgreSQL one round trip to the database fewer.
_LOOKUP_SQL = ("SELECT p.id, p.name, p.birth_date, p.household_id, p.dtsen_note, p.kpd_status, p.desil, "
               "p.desa_name, e.person_id, e.program_code, e.year, e.quarter, e.status, e.stage, "
               "e.ended_reason, e.since, e.note FROM (SELECT p.id, p.name, p.birth_date, p.household_id, "
               "p.dtsen_note, p.kpd_status, h.desil, r.name AS desa_name FROM person p "
               "JOIN household h ON h.id = p.household_id JOIN region r ON r.code = p.desa_code "
               "WHERE {where} ORDER BY p.id LIMIT 20) p "
               "LEFT JOIN enrollment e ON e.household_id = p.household_id "
               "AND (e.year > {p} OR (e.year = {p} AND e.quarter >= {p})) "
               "ORDER BY p.id, e.year, e.quarter")
_BY_NAME = "p.desa_code = {p} AND p.name_norm = {p}"
_BY_NIK = "p.nik = {p}"
_to_date = DateField().python_value


def _found(where, params, year, quarter):
    """(persons, {household id: [its enrollments from year/quarter on]})."""
    db = flask_db.database
    sql = _LOOKUP_SQL.format(where=where.format(p=db.param), p=db.param)
    people, enrollments, filled_by = [], {}, {}
    last = None
    for (pid, name, born, household_id, dtsen_note, kpd, desil, desa_name,
         person_id, code, y, q, status, stage, ended, since, note) in db.execute_sql(
            sql, [*params, year, year, quarter]):
        if pid != last:
            last = pid
            people.append(_Row(id=pid, name=name, birth_date=_to_date(born), household_id=household_id,
                               household=_Row(id=household_id, desil=desil), desa=_Row(name=desa_name),
                               dtsen_note=dtsen_note, kpd_status=kpd))
            filled_by.setdefault(household_id, pid)  # two found in one household: their rows once
        if code is None or filled_by[household_id] != pid:
            continue
        enrollments.setdefault(household_id, []).append(_Row(
            household_id=household_id, person_id=person_id, program_code=code, year=y, quarter=q,
            status=status, stage=stage, ended_reason=ended, since=_to_date(since), note=note))
    return people, enrollments


def _program_lines(person, programs, enrollments):
    """Per program: this quarter's enrollment, or, when there is none yet, the
    nearest upcoming one (a household just approved is enrolled for the next
    period at stage PENETAPAN and should be found at once)."""
    by_program = {}
    for e in enrollments:
        if e.person_id not in (None, person.id):
            continue
        held = by_program.get(e.program_code)
        # The earliest period wins; within it a person-level enrollment
        # overrides a household one for that program.
        if held is None or ((held.year, held.quarter) == (e.year, e.quarter) and e.person_id):
            by_program[e.program_code] = e
    locale = str(get_locale())
    return [_line(program, by_program.get(program.code), locale) for program in programs]


# A program line reads the same for everyone with the same facts (program,
# status, stage, period, reason, since, keterangan) in one language: each
# worker keeps the lines it built, at most 8,192 (then it starts again),
# dropped with the programs (cache version "programs"). A lookup reuses them
# instead of turning the same codes into the same words again.
_lines = Kept(8192)
cacheversion.on_change("programs", _lines.clear)


def _line(program, e, locale):
    key = (locale, program.code, program.name, program.kind)
    if e is not None:
        key += (e.status, e.stage, e.year, e.quarter, e.ended_reason, e.since, e.note)
    line = _lines.get(key)
    return line if line is not None else _lines.keep(key, program_line(program, e, key))


def _status_word(kind, receives):
    if kind == HEALTH:
        return _("AKTIF") if receives else _("NONAKTIF")
    return _("YA") if receives else _("TIDAK")


def program_line(program, e, key=()):
    """One program's line from its enrollment (or None): the one place that
    turns stage, reason and keterangan codes into words."""
    kind = program.kind or "tunai"
    base = {"kind": kind, "kind_label": str(KIND_LABELS.get(kind, "")),
            "full_name": _(FULL_NAMES.get(program.code, program.name)), "key": key}
    if e is None:
        return ProgramLine(program.code, program.name, False, status_word=_("TIDAK"), **base)
    receives = e.status == "YA"
    stage = stage_said(kind, e.stage)
    said = {"next_step": stage.next_step}
    if e.ended_reason:
        reason = ended_reason_said(e.ended_reason)
        said.update(ended_reason=reason.meaning, next_step=reason.next_step)
    if kind == HEALTH:
        said["since"] = date_label(e.since) if e.since and receives else ""
        note = pbi_note_said(e.note)
        if note:
            said.update(note=note.meaning, next_step=note.next_step or said["next_step"])
    return ProgramLine(program.code, program.name, receives, period_label(e.year, e.quarter), stage.label,
                       stage.meaning, status_word=_status_word(kind, receives), stage_code=e.stage,
                       **base, **said)


def person_facts(person, programs, enrollments, today):
    """Every fact of the real site's result row for one person (masked name,
    desil, keterangan DTSEN, each program's status, period and keterangan,
    status KPD) plus our plain-words explanations. The lookup page, the
    profile and any other face (e.g. the contract's 11 cells) read this."""
    desil = person.household.desil
    return PersonResult(
        mask_name(person.name), age_on(person.birth_date, today), desil, person.desa.name,
        _program_lines(person, programs, enrollments), desil_sentence=desil_sentence(desil),
        dtsen_note=dtsen_note_said(person.dtsen_note), kpd=kpd_said(person.kpd_status),
        dtsen_note_code=person.dtsen_note or "", kpd_code=person.kpd_status or "")


def _lookup(where, params, today):
    today = today or clock.today()
    year, quarter = quarter_of(today)
    persons, enrollments = _found(where, params, year, quarter) if params else ([], {})
    programs = _programs()
    people = [person_facts(p, programs, enrollments.get(p.household_id, []), today) for p in persons]
    return Lookup(dtsen_label(year, quarter), people, dtsen_sentence(year, quarter), desil_scale())


def lookup_by_name(desa_code: str, name: str, today: date | None = None) -> Lookup:
    """Persons in `desa_code` whose normalised name equals that of `name`.
    One index probe on (desa, name_norm); never a partial match."""
    norm = normalize_name(name)
    return _lookup(_BY_NAME, [desa_code, norm] if norm else None, today)


def lookup_by_nik(nik: str, today: date | None = None) -> Lookup:
    return _lookup(_BY_NIK, [nik], today)


def not_found_guidance(by_nik):
    """What a person is told when nothing is found, [finding, where to go]:
    templates/cek/result.html (a template global) and the SMS lookup both
    say it from here."""
    return [_("NIK tersebut tidak ada dalam data penerima bantuan.") if by_nik else
            _("Nama tersebut tidak ada dalam data penerima bantuan di desa/kelurahan yang dipilih."),
            _("Atau datang ke kantor desa/kelurahan dengan membawa KTP dan KK. Usulan akan dibahas dalam "
              "musyawarah desa/kelurahan, lalu diverifikasi oleh Dinas Sosial.")]
