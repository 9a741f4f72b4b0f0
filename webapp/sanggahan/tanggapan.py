"""Tanggapan Kelayakan: the recipients of the citizen's own desa, searched by
name, with a one-tap "Layak" / "Tidak layak" per recipient and period.

The search never leaves the own desa (the account's desa_code is the first
condition, on the (desa_code, name_norm) index) and needs a whole
normalised name or at least MIN_LETTERS letters of its beginning: it cannot
be used to list a province, nor to walk a village letter by letter."""

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from peewee import IntegrityError

from .. import clock
from ..db import atomic_write
from ..errors import Refused
from ..identity import mask_name, normalize_name
from ..registry.models import Person
from ..registry.programs import quarter_of
from .models import EligibilityResponse
from .recipients import account_desa, program_stages_of, recipient_filter, token_for

MIN_LETTERS = 3
MAX_QUERY = 120


class SearchError(Refused):
    """A desa search we do not run; `message` says why."""


@dataclass
class Row:
    token: str
    masked_name: str
    programs: list  # [(program name, stage label)]
    eligible: bool | None  # this account's response this period, None: none yet


def clean_query(raw):
    """The normalised search text, or "" for no search; SearchError when it
    is too short to be a name's beginning."""
    raw = (raw or "")[:MAX_QUERY]
    if not raw.strip():
        return ""
    text = normalize_name(raw)
    if sum(ch.isalpha() for ch in text) < MIN_LETTERS:
        raise SearchError(_l("Ketik paling sedikit %(n)d huruf awal nama.", n=MIN_LETTERS))
    return text


def page_size():
    return int(current_app.config.get("TANGGAPAN_PAGE_SIZE") or 20)


def search(account, query="", page=1, today=None):
    """(rows on this page, whether there is a next page). `query` is what
    clean_query() returned: "" lists the own desa page by page; otherwise
    the exact name or names starting with it, in the own desa only."""
    desa = account_desa(account)
    condition = (Person.desa == desa) & (Person.nik != account.nik) & recipient_filter(today)
    if query:
        condition &= Person.name_norm.startswith(query)  # the whole name is a prefix of itself
    size = page_size()
    rows = list(Person.select().where(condition).order_by(Person.name_norm, Person.id)
                .offset((page - 1) * size).limit(size + 1))
    more = len(rows) > size
    rows = rows[:size]
    stages = program_stages_of(rows, today)
    mine = responses_of(account, [p.id for p in rows], today)
    found = [Row(token_for(account, p.id), mask_name(p.name), stages[p.id], mine.get(p.id)) for p in rows]
    return found, more


def responses_of(account, person_ids, today=None):
    """{person id: eligible} of this account's responses this period."""
    if not person_ids:
        return {}
    year, quarter = quarter_of(today or clock.today())
    rows = (EligibilityResponse.select(EligibilityResponse.person, EligibilityResponse.eligible)
            .where((EligibilityResponse.account_id == account.id) & (EligibilityResponse.year == year)
                   & (EligibilityResponse.quarter == quarter) & EligibilityResponse.person.in_(person_ids))
            .tuples())
    return dict(rows)


def respond(account, person, eligible, today=None):
    """Records (or changes) this account's response about `person` for the
    current period: one row per account, person and quarter."""
    year, quarter = quarter_of(today or clock.today())
    key = ((EligibilityResponse.account_id == account.id) & (EligibilityResponse.person == person.id)
           & (EligibilityResponse.year == year) & (EligibilityResponse.quarter == quarter))
    with atomic_write(f"tanggapan:{account.id}:{person.id}"):
        changed = (EligibilityResponse.update(eligible=bool(eligible), updated_at=clock.utcnow())
                   .where(key).execute())
        if not changed:
            try:
                with atomic_write(f"tanggapan:{account.id}:{person.id}"):
                    EligibilityResponse.create(account_id=account.id, person=person.id, year=year,
                                               quarter=quarter, eligible=bool(eligible))
            except IntegrityError:  # the same tap twice at once: the other one made the row
                (EligibilityResponse.update(eligible=bool(eligible), updated_at=clock.utcnow())
                 .where(key).execute())
    return bool(eligible)
