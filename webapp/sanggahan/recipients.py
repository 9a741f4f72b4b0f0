"""Who a citizen may object to: this quarter's recipients in their own desa
(listed and searched by tanggapan.py), chosen through a signed token, never
a registry id."""

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from .. import clock
from ..registry.models import Enrollment, Person, Program
from ..registry.programs import quarter_of, stage_label

TOKEN_MAX_AGE = 24 * 3600


def _current(today=None):
    year, quarter = quarter_of(today or clock.today())
    return (Enrollment.year == year) & (Enrollment.quarter == quarter) & (Enrollment.status == "YA")


def recipient_filter(today=None):
    """A person receives when enrolled personally, or as head of a household
    that is enrolled as a whole."""
    personal = Enrollment.select(Enrollment.person).where(_current(today) & Enrollment.person.is_null(False))
    household = Enrollment.select(Enrollment.household).where(_current(today) & Enrollment.person.is_null())
    return (Person.id.in_(personal)
            | ((Person.relationship == "Kepala Keluarga") & Person.household.in_(household)))


def programs_of(persons, today=None):
    """{person id: [program names]} received this quarter."""
    return {pid: [name for name, _stage in rows] for pid, rows in program_stages_of(persons, today).items()}


def program_stages_of(persons, today=None):
    """{person id: [(program name, disbursement stage label)]} this quarter."""
    names = {p.code: p.name for p in Program.select()}
    by_person = {p.id: {} for p in persons}
    heads = {p.household_id: p.id for p in persons if p.relationship == "Kepala Keluarga"}
    rows = Enrollment.select().where(_current(today) & (
        Enrollment.person.in_(list(by_person)) | (Enrollment.person.is_null()
                                                  & Enrollment.household.in_(list(heads)))))
    for e in rows:
        pid = e.person_id if e.person_id else heads.get(e.household_id)
        if pid in by_person:
            by_person[pid][e.program_code] = e.stage
    order = [p.code for p in Program.select().order_by(Program.sort)]
    return {pid: [(names[c], stage_label(codes[c])) for c in order if c in codes]
            for pid, codes in by_person.items()}


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="sanggahan-penerima")


def token_for(account, person_id):
    return _serializer().dumps([person_id, account.id])


def person_from_token(account, token, today=None):
    """The recipient a token names, if it was made for this account and the
    person still receives in the account's desa; else None."""
    try:
        person_id, account_id = _serializer().loads(token, max_age=TOKEN_MAX_AGE)
    except (BadSignature, ValueError, TypeError):
        return None
    if account_id != account.id:
        return None
    return (Person.select().where((Person.id == person_id) & (Person.desa == account_desa(account))
                                  & recipient_filter(today)).first())


def account_desa(account):
    return getattr(account, "desa_code", None) or getattr(account, "desa_id", None)
