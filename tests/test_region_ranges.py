"""An officer's region filter is one range an index serves (issue 18 item 9),
not startswith() (ILIKE on PostgreSQL, LIKE on SQLite: a full scan of the
table), and it still means "this region or inside it" exactly."""

from peewee import fn

from webapp.db import is_sqlite
from webapp.petugas.scope import under
from webapp.registry.models import Person, Region


def test_the_range_holds_the_region_and_what_lies_inside_only(db):
    codes = set(Region.select(Region.code).where(under(Region.code, "32.76")).tuples())
    codes = {c for (c,) in codes}
    assert "32.76" in codes and "32.76.06" in codes and "32.76.06.1001" in codes
    assert all(c == "32.76" or c.startswith("32.76.") for c in codes)
    expected = Region.select().where((Region.code == "32.76") | (Region.code.startswith("32.76."))).count()
    assert len(codes) == expected
    # A sibling whose code continues the digits is outside ("32.7" is not "32.76"'s parent).
    assert not Region.select().where(under(Region.code, "32.7")).exists()
    desa = {c for (c,) in Region.select(Region.code).where(under(Region.code, "32.76.06.1001")).tuples()}
    assert desa == {"32.76.06.1001"}


def _plan(db, query):
    sql, params = query.sql()
    if is_sqlite(db):
        return " ".join(str(row[-1]) for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
    with db.atomic() as txn:
        db.execute_sql("SET LOCAL enable_seqscan = off")  # what the index can serve, at any table size
        plan = " ".join(row[0] for row in db.execute_sql("EXPLAIN " + sql, params))
        txn.rollback()
    return plan


def test_an_index_serves_the_region_filter(db):
    query = Person.select(fn.COUNT(Person.id)).where(under(Person.desa, "32.76.06"))
    assert query.scalar() > 0
    plan = _plan(db, query)
    if is_sqlite(db):
        assert "SEARCH" in plan and "SCAN" not in plan, plan  # startswith(): SCAN (every entry)
    else:
        assert "person_desa_code_c" in plan and "Seq Scan" not in plan, plan
