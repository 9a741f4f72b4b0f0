"""The region fragments of the whole country in one worker: what keeping them
costs in memory, and whether a second sweep is served from the cache.

At a national peak a worker is asked for the children of every parent region
(38 provinces, 514 kabupaten/kota, 7,285 kecamatan), in the encodings
browsers accept. One process (Flask test client) asks for each parent's
fragment in br and gzip twice over; the first sweep fills the caches, the
second shows how many answers come from them and what one costs then (CPU
time). RSS is read from /proc before and after.

    .venv/bin/python -m bench.regioncache --db /tmp/bench/visit/cekbansos.sqlite3
"""

import argparse
import gc
import os
import time

from bench.load import SECRET, database_env

ENCODINGS = ("br", "gzip")
LEVELS = ("provinsi", "kabupaten", "kecamatan", "desa")


def rss_mb():
    gc.collect()
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024


def sweep(client, parents):
    """CPU seconds to ask for every parent's fragment in each encoding once."""
    start = time.process_time()
    for encoding in ENCODINGS:
        for code in parents:
            # As the picker asks: the select to fill (a kabupaten's answer then
            # brings its kecamatan's desa lists along).
            target = LEVELS[code.count(".") + 1]
            headers = {"HX-Request": "true", "HX-Target": target, "Accept-Encoding": encoding}
            response = client.get(f"/wilayah/{code}", headers=headers)
            assert response.status_code == 200, (code, response.status_code)
    return time.process_time() - start


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    p.add_argument("--db", default="/tmp/bench/visit/cekbansos.sqlite3")  # noqa: S108
    a = p.parse_args(argv)
    os.environ.update(FLASK_SECRET_KEY=SECRET, FLASK_RATELIMIT_ENABLED="false",
                      **database_env(a.backend, a.db))
    from bench.app import make_app
    from webapp import wilayah
    from webapp.db import flask_db

    app = make_app()
    with app.app_context():
        parents = [code for (code,) in flask_db.database.execute_sql(
            "SELECT code FROM region WHERE level < 4 ORDER BY code")]
    client = app.test_client()
    client.get("/")
    before = rss_mb()
    first = sweep(client, parents)
    filled = rss_mb()
    hits = wilayah._fragment.cache_info().hits
    second = sweep(client, parents)
    info = wilayah._fragment.cache_info()
    asked = len(parents) * len(ENCODINGS)
    print(f"region fragments of the whole country, one worker ({len(parents)} parent regions x "
          f"{len(ENCODINGS)} encodings = {asked} answers):")
    print(f"  first sweep            {first / asked * 1000:6.3f} ms CPU each   (rendered and compressed)")
    print(f"  second sweep           {second / asked * 1000:6.3f} ms CPU each   "
          f"{info.hits - hits} of {asked} from the cache")
    print(f"  RSS grew by            {filled - before:6.1f} MB   (fragments kept: {info.currsize}, "
          f"region lists kept: {wilayah.children.cache_info().currsize})")


if __name__ == "__main__":
    main()
