"""The lookup: exact, normalised name inside one desa, or a NIK."""

from dataclasses import dataclass, field
from datetime import date

from peewee import JOIN

from ..identity import age_on, mask_name, normalize_name
from ..registry.models import Enrollment, Household, Person, Program, Region
from ..registry.programs import (
    dtsen_label,
    period_label,
    quarter_of,
    stage_explanation,
    stage_label,
)


@dataclass
class ProgramLine:
    code: str
    name: str
    receives: bool
    period: str = ""
    stage: str = ""
    explanation: str = ""
    ended_reason: str = ""


@dataclass
class PersonResult:
    masked_name: str
    age: int
    desil: int | None
    desa_name: str
    programs: list = field(default_factory=list)


@dataclass
class Lookup:
    dtsen: str
    people: list

    @property
    def found(self):
        return bool(self.people)


def _programs():
    return list(Program.select().order_by(Program.sort))


def _enrollments_from(households, year, quarter):
    """{household id: [enrollments]} for this quarter onwards, in one query
    for all the people found."""
    from_now = (Enrollment.year > year) | ((Enrollment.year == year) & (Enrollment.quarter >= quarter))
    rows = (Enrollment.select()
            .where(Enrollment.household.in_(list(households)) & from_now)
            .order_by(Enrollment.year, Enrollment.quarter))
    grouped = {}
    for e in rows:
        grouped.setdefault(e.household_id, []).append(e)
    return grouped


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
    lines = []
    for program in programs:
        e = by_program.get(program.code)
        if e is None:
            lines.append(ProgramLine(program.code, program.name, False))
            continue
        lines.append(ProgramLine(
            program.code, program.name, e.status == "YA", period_label(e.year, e.quarter),
            str(stage_label(e.stage)), str(stage_explanation(e.stage)), e.ended_reason or ""))
    return lines


def _results(persons, today):
    year, quarter = quarter_of(today)
    programs = _programs()
    enrollments = _enrollments_from({p.household_id for p in persons}, year, quarter) if persons else {}
    people = [
        PersonResult(mask_name(p.name), age_on(p.birth_date, today), p.household.desil,
                     p.desa.name, _program_lines(p, programs, enrollments.get(p.household_id, [])))
        for p in persons
    ]
    return Lookup(dtsen_label(year, quarter), people)


def _base_query():
    return (Person.select(Person, Household, Region)
            .join(Household, on=(Person.household == Household.id))
            .switch(Person).join(Region, JOIN.INNER, on=(Person.desa == Region.code)))


def lookup_by_name(desa_code: str, name: str, today: date | None = None) -> Lookup:
    """Persons in `desa_code` whose normalised name equals that of `name`.
    One index probe on (desa, name_norm); never a partial match."""
    norm = normalize_name(name)
    persons = [] if not norm else list(
        _base_query().where((Person.desa == desa_code) & (Person.name_norm == norm)).limit(20))
    return _results(persons, today or date.today())


def lookup_by_nik(nik: str, today: date | None = None) -> Lookup:
    persons = list(_base_query().where(Person.nik == nik))
    return _results(persons, today or date.today())
