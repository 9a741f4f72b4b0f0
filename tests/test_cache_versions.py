"""Per-worker caches follow changes made on any host, and a static URL's
version is checked before it is cached for a year."""

import re
import secrets

from webapp.cacheversion import CacheVersion
from webapp.db import flask_db
from webapp.registry.models import Region

KEC = "32.76.06"  # Beji (Depok)


def _desa_names(client):
    return re.findall(r'<option value="[\d.]+">([^<]+)</option>', client.get(f"/wilayah/{KEC}").text)


def _another_host_renames(code, name, bump):
    """What `flask load-regions` on another host leaves here: the rows
    changed and, with bump, the version moved, but this process's caches
    untouched (that host clears only its own)."""
    Region.update(name=name).where(Region.code == code).execute()
    if bump:
        version = secrets.randbits(62)
        (CacheVersion.insert(name="regions", version=version)
         .on_conflict(conflict_target=[CacheVersion.name], update={CacheVersion.version: version})
         .execute())


def test_a_region_change_on_another_host_reaches_this_worker(app, client):
    app.config["CACHE_CHECK_SECONDS"] = 0
    first = _desa_names(client)
    code = Region.select(Region.code).where(Region.parent == KEC).order_by(Region.name).scalar()
    with app.app_context():
        _another_host_renames(code, "Desa Berganti Nama", bump=False)
        flask_db.database.close()
    assert _desa_names(client) == first  # cached per worker: the change alone is not seen
    with app.app_context():
        _another_host_renames(code, "Desa Berganti Nama", bump=True)
        flask_db.database.close()
    assert "Desa Berganti Nama" in _desa_names(client)


def test_versions_are_checked_at_most_every_few_seconds(app, client):
    app.config["CACHE_CHECK_SECONDS"] = 3600
    client.get(f"/wilayah/{KEC}")  # this worker's check is now fresh for an hour
    first = _desa_names(client)
    code = Region.select(Region.code).where(Region.parent == KEC).order_by(Region.name).scalar()
    with app.app_context():
        _another_host_renames(code, "Desa Nanti Saja", bump=True)
        flask_db.database.close()
    assert _desa_names(client) == first
    app.config["CACHE_CHECK_SECONDS"] = 0
    assert "Desa Nanti Saja" in _desa_names(client)


def test_load_regions_moves_the_version(app, db):
    from webapp.cacheversion import bump

    before = CacheVersion.get_or_none(CacheVersion.name == "regions")
    bump("regions")
    after = CacheVersion.get(CacheVersion.name == "regions")
    assert after.version != (before.version if before else 0)


def test_a_static_url_with_another_version_is_not_cached(client):
    css = re.search(r'href="(/static/app\.css\?v=[0-9a-f]+)"', client.get("/").text).group(1)
    with client.get(css) as right:
        assert "immutable" in right.headers["Cache-Control"]
    wrong = css.split("?v=")[0] + "?v=0123456789"  # a page from a host with other bytes
    with client.get(wrong) as response:
        assert response.status_code == 200
        cache = response.headers["Cache-Control"]
        assert "no-store" in cache and "immutable" not in cache and "max-age" not in cache
