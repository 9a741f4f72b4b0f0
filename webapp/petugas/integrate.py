"""An approved proposal joins the registry: household, persons and
enrollments for the next period at stage PENETAPAN."""


from .. import clock
from ..registry.models import Enrollment, Household, Person, Program
from ..registry.programs import HEALTH, desil_allows, first_stage, next_quarter, quarter_of, quarter_start
from ..usulan import states
from ..usulan.models import ProposalMember
from .models import StageRecord

HEAD = "Kepala Keluarga"


def _address(proposal):
    parts = [proposal.street or ""]
    if proposal.rt or proposal.rw:
        parts.append(f"RT {proposal.rt or '-'}/RW {proposal.rw or '-'}")
    return " ".join(p for p in parts if p)[:200]


def _people(proposal):
    members = list(ProposalMember.select().where(ProposalMember.proposal == proposal))
    head_listed = any(m.relationship == HEAD for m in members)
    yield {"nik": proposal.nik, "name": proposal.name, "birth_date": proposal.birth_date,
           "sex": proposal.sex or "L", "relationship": "Anggota Keluarga" if head_listed else HEAD}
    for m in members:
        if m.nik != proposal.nik:
            yield {"nik": m.nik, "name": m.name, "birth_date": m.birth_date, "sex": m.sex,
                   "relationship": m.relationship}


def upsert_person(household, row):
    person = Person.get_or_none(Person.nik == row["nik"])
    values = {"name": row["name"], "name_norm": Person.normalized(row["name"]),
              "birth_date": row["birth_date"], "sex": row["sex"], "household": household,
              "desa": household.desa_code, "relationship": row["relationship"]}
    if person is None:
        return Person.create(nik=row["nik"], **values)
    Person.update(**values).where(Person.id == person.id).execute()
    return Person.get_by_id(person.id)


def enroll(household, person, program_code, year, quarter, status="YA", stage="PENETAPAN", since=None,
           note=None):
    """One enrollment per (household, person, program, period): created or updated."""
    cond = ((Enrollment.household == household) & (Enrollment.program == program_code)
            & (Enrollment.year == year) & (Enrollment.quarter == quarter))
    cond &= Enrollment.person.is_null() if person is None else (Enrollment.person == person)
    existing = Enrollment.get_or_none(cond)
    if existing is None:
        return Enrollment.create(household=household, person=person, program=program_code, year=year,
                                 quarter=quarter, status=status, stage=stage, since=since, note=note,
                                 created_at=clock.utcnow())
    Enrollment.update(status=status, stage=stage, ended_reason=None, since=since, note=note).where(
        Enrollment.id == existing.id).execute()
    return existing


def visit_desil(proposal):
    """The desil Dinas Sosial recorded at the latest home visit (None: not
    assigned yet, or no visit)."""
    visit = (StageRecord.select(StageRecord.desil)
             .where((StageRecord.proposal == proposal) & (StageRecord.stage == states.VISIT_STAGE))
             .order_by(StageRecord.id.desc()).first())
    return visit.desil if visit else None


def integrate(proposal, today=None):
    """Called inside the decision's transaction. Returns the household. The
    household gets the desil of the home visit, and only the programs that
    desil admits are enrolled (the officer pages flag the others)."""
    desil = visit_desil(proposal)
    household = Household.get_or_none(Household.no_kk == proposal.no_kk)
    if household is None:
        household = Household.create(no_kk=proposal.no_kk, desa=proposal.desa_code, desil=desil,
                                     address=_address(proposal), updated_at=clock.utcnow())
    else:
        (Household.update(desa=proposal.desa_code, address=_address(proposal), desil=desil,
                          updated_at=clock.utcnow())
         .where(Household.id == household.id).execute())
        household = Household.get_by_id(household.id)
    persons = [upsert_person(household, row) for row in _people(proposal)]
    year, quarter = next_quarter(*quarter_of(today or clock.today()))
    programs = {p.code: p for p in Program.select().where(Program.code.in_(proposal.program_list))}
    for code in proposal.program_list:
        program = programs.get(code)
        if program is None or not desil_allows(code, desil, program.max_desil):
            continue
        kind = program.kind or "tunai"
        extra = {"stage": first_stage(kind)}
        if kind == HEALTH:  # a membership starts with the period; its premium is paid by the state
            extra.update(since=quarter_start(year, quarter), note="APBN")
        if program.per_person:
            for person in persons:
                enroll(household, person, code, year, quarter, **extra)
        else:
            enroll(household, None, code, year, quarter, **extra)
    proposal.registry_household = household
    proposal.save(only=[type(proposal).registry_household])
    return household
