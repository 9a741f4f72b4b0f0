"""THE place where an officer's region limits what they see and do.

Every officer query starts from a function here; every record fetched by an
id from a URL goes through `get_or_404()`, which answers 404 for anything
outside the officer's region (or missing) and logs the attempt. Views never
filter by region themselves. The roles and what each may do are
webapp.akun.roles; the region tree rule for a code in hand is
webapp.registry.regions.is_within (`under()` here is the same rule in SQL).
"""

import logging
from dataclasses import dataclass, field

from flask import abort
from peewee import JOIN, SQL, Case, fn

from .. import wilayah
from ..akun import audit, roles
from ..akun.models import Account
from ..db import after_schema, is_sqlite
from ..registry.models import Person
from ..sanggahan.models import EligibilityResponse, Objection
from ..usulan import states
from ..usulan.models import Proposal, ProposalEvent
from .models import AuditLog, ImportJob, Musyawarah, StageRecord, VisitPhoto

log = logging.getLogger(__name__)

def in_region(column, officer):
    """A condition: `column` (a region code) lies inside the officer's region.
    Codes nest by prefix with dots (32.76 ⊃ 32.76.06 ⊃ 32.76.06.1001)."""
    if officer.role == roles.PUSAT:
        return SQL("1 = 1")
    scope = officer.region_scope
    if officer.role not in roles.ROLES or not scope:
        return SQL("1 = 0")  # a misconfigured officer sees nothing
    return under(column, scope)


def under(column, code):
    """A condition: `column` is region `code` or lies inside it — one range
    [code, code + "/") in byte order, which an index on the column serves
    (peewee's startswith() is ILIKE on PostgreSQL and LIKE on SQLite: a full
    scan). Codes are digits and dots and "/" follows "." in byte order, so the
    range holds exactly `code` and the codes that continue it with a dot
    ("32.761" is not inside "32.76"). PostgreSQL compares in the "C" collation
    whatever the database's, served by the indexes of PREFIX_INDEXES."""
    if not is_sqlite():
        column = column.collate('"C"')
    return (column >= code) & (column < code + "/")


# (table, column) compared by under(): on PostgreSQL each gets a B-tree in the
# "C" collation (SQLite's default BINARY indexes serve the range already).
PREFIX_INDEXES = (("proposal", "desa_code"), ("person", "desa_code"), ("account", "desa_code"),
                  ("audit_log", "region_code"), ("musyawarah", "desa_code"), ("region", "code"))


@after_schema
def create_prefix_indexes(db):
    if is_sqlite(db):
        return
    for table, column in PREFIX_INDEXES:
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS {table}_{column}_c ON "{table}" ("{column}" COLLATE "C")')


def code_in_region(code, officer):
    """The same rule for a code already in hand (webapp.akun.roles.covers)."""
    return roles.covers(officer, code)


def proposals_for(officer):
    return Proposal.select().where((Proposal.status != states.DRAFT) & in_region(Proposal.desa, officer))


def objections_for(officer):
    return (Objection.select(Objection, Person).join(Person)
            .where(in_region(Person.desa, officer)))


def not_eligible_counts(year, quarter):
    """A subquery: person id → how many accounts said "Tidak layak" this period."""
    count = fn.COUNT(EligibilityResponse.id).alias("n")
    return (EligibilityResponse.select(EligibilityResponse.person, count)
            .where((EligibilityResponse.year == year) & (EligibilityResponse.quarter == quarter)
                   & (EligibilityResponse.eligible == False))  # noqa: E712 - SQL, not Python truth
            .group_by(EligibilityResponse.person))


def objection_queue(officer, status, year, quarter):
    """The officer's objections in `status`, those about a recipient with
    more "Tidak layak" responses this period first, then the oldest; each
    row carries `.tidak_layak`."""
    counts = not_eligible_counts(year, quarter).alias("tl")
    n = fn.COALESCE(counts.c.n, 0)
    return (objections_for(officer).select_extend(n.alias("tidak_layak"))
            .switch(Objection).join(counts, JOIN.LEFT_OUTER, on=(counts.c.person_id == Objection.person))
            .where(Objection.status == status)
            .order_by(n.desc(), Objection.created_at, Objection.id))


def eligibility_for(officer, year, quarter):
    """Recipients in the officer's region that citizens responded about this
    period, with `.layak` and `.tidak_layak` counts, most "Tidak layak" first."""
    total = fn.COUNT(EligibilityResponse.id)
    layak = fn.SUM(Case(None, ((EligibilityResponse.eligible, 1),), 0))
    tidak = total - layak
    return (Person.select(Person, layak.alias("layak"), tidak.alias("tidak_layak"))
            .join(EligibilityResponse)
            .where(in_region(Person.desa, officer) & (EligibilityResponse.year == year)
                   & (EligibilityResponse.quarter == quarter))
            .group_by(Person.id)
            .order_by(tidak.desc(), Person.name_norm, Person.id))


def accounts_for(officer):
    return Account.select().where((Account.role == "warga") & in_region(Account.desa, officer))


def musyawarah_for(officer):
    return Musyawarah.select().where(in_region(Musyawarah.desa_code, officer))


def visit_photos_for(officer):
    return (VisitPhoto.select(VisitPhoto, StageRecord).join(StageRecord).join(Proposal)
            .where(in_region(Proposal.desa, officer)))


def assisted_for(officer):
    """Operator-assisted mode: the proposals this officer fills for citizens
    at the kiosk (drafts included), while their domicile, once chosen, lies
    in the officer's region."""
    return Proposal.select().where((Proposal.assisted_by == officer.id)
                                   & (Proposal.desa.is_null() | in_region(Proposal.desa, officer)))


def events_for(officer, start, end, area=None):
    """Every event (with its proposal) in [start, end) on the sent proposals
    of the officer's region, or of `area` inside it (Area.code), in order."""
    query = (ProposalEvent.select(ProposalEvent, Proposal).join(Proposal)
             .where(in_region(Proposal.desa, officer) & (Proposal.status != states.DRAFT)
                    & (ProposalEvent.created_at >= start) & (ProposalEvent.created_at < end)))
    if area:
        query = query.where(under(Proposal.desa, area))
    return query.order_by(ProposalEvent.created_at, ProposalEvent.id)


def audit_for(officer):
    return AuditLog.select().where(in_region(AuditLog.region_code, officer))


def import_jobs_for(officer):
    # A job is its starter's: another officer's progress page is a 404.
    return ImportJob.select().where(ImportJob.officer_id == officer.id)


QUERIES = {
    "usulan": (proposals_for, Proposal),
    "sanggahan": (objections_for, Objection),
    "akun": (accounts_for, Account),
    "musyawarah": (musyawarah_for, Musyawarah),
    "foto_kunjungan": (visit_photos_for, VisitPhoto),
    "impor": (import_jobs_for, ImportJob),
    "bantuan": (assisted_for, Proposal),
}


def get_or_404(kind, public_id, officer):
    """The record of `kind` with this public id inside the officer's region;
    otherwise 404, and the attempt goes to the audit log (ids only)."""
    query_of, model = QUERIES[kind]
    found = None
    if isinstance(public_id, str) and 0 < len(public_id) <= 64:
        found = query_of(officer).where(model.public_id == public_id).first()
    if found is None:
        deny(officer, kind, public_id)
    return found


def deny(officer, kind, public_id):
    """Logs an attempt on a record outside the officer's region and answers 404."""
    audit.record(officer, "akses_ditolak", kind, (public_id or "")[:64], detail="di_luar_wilayah")
    log.warning("officer %s denied %s %s", officer.public_id, kind, (public_id or "")[:64])
    abort(404)


# -- choosing a part of the officer's region (queue filter, export) ------------
@dataclass
class Area:
    """The region selects below the officer's scope, from the query string.
    `levels`: (level, parent code, chosen code or "") for each select that can
    be filled; `code`: the deepest choice (None: the whole region)."""

    levels: list = field(default_factory=list)
    code: str | None = None

    @staticmethod
    def option_markup(parent, chosen):
        return wilayah.option_markup(parent, chosen)


def area_for(officer, values):
    """Reads provinsi/kabupaten/kecamatan/desa codes (the levels below the
    officer's scope are choices) and checks them here, in the one region
    rule: any code outside the region is a logged 404 (deny); one that no longer fits
    the choice above it (a kecamatan changed without JavaScript) is dropped.
    A lower code given alone brings its parents (?desa=32.76.06.1001)."""
    for level in wilayah.LEVELS:
        value = values.get(level, "")
        if value and (not isinstance(value, str) or len(value) > 13):
            deny(officer, "wilayah", "")
        if value and not code_in_region(value, officer):
            deny(officer, "wilayah", value)
    start = 0 if officer.role == roles.PUSAT else roles.ROLES.get(officer.role, 0)
    if officer.role != roles.PUSAT and not officer.region_scope:
        return Area()
    below = wilayah.LEVELS[start:]
    given = {level: values.get(level, "") for level in below}
    deepest = next((given[level] for level in reversed(below) if given[level]), "")
    if deepest and wilayah.is_code(deepest):  # fill the parents of a code given alone
        parts = deepest.split(".")
        for depth, level in enumerate(wilayah.LEVELS[:len(parts)]):
            if level in given and not given[level]:
                given[level] = ".".join(parts[:depth + 1])
    area = Area()
    parent = officer.region_scope if officer.role != roles.PUSAT else None
    for level in below:
        chosen = given[level] if given[level] in wilayah.child_codes(parent) else ""
        area.levels.append((level, parent, chosen))
        if not chosen:
            break
        area.code = parent = chosen
    return area
