"""Region fragments and the region table."""

import json
import re

import pytest

from webapp.registry.models import Region


def options(html):
    return re.findall(r'<option value="([^"]*)">([^<]*)</option>', html)


def test_whole_country_is_loaded(db):
    counts = {level: Region.select().where(Region.level == level).count() for level in (1, 2, 3, 4)}
    assert counts == {1: 38, 2: 514, 3: 7285, 4: 83762}


def test_loading_regions_again_changes_nothing(runner, db):
    result = runner.invoke(args=["load-regions"])
    assert result.exit_code == 0, result.output
    assert "83762 desa/kelurahan" in result.output
    assert Region.select().count() == 91599


@pytest.mark.parametrize("code, count, placeholder", [
    ("32", 27, "— Pilih —"),
    ("32.76", 11, "— Pilih —"),
    ("95.06.03", 108, "— Pilih —"),
])
def test_children_of_each_level(client, code, count, placeholder):
    response = client.get(f"/wilayah/{code}")
    assert response.status_code == 200
    opts = options(response.get_data(as_text=True))
    assert opts[0] == ("", placeholder)
    assert len(opts) == count + 1
    assert all(value.startswith(code + ".") for value, _ in opts[1:])
    assert "HX-Request" in response.headers["Vary"]


def test_kabupaten_of_jawa_barat_are_named(client):
    names = [name for _, name in options(client.get("/wilayah/32").get_data(as_text=True))]
    assert "Kota Depok" in names and "Kabupaten Bogor" in names


@pytest.mark.parametrize("code", ["99", "32.99", "xx", "32.76.06.1001", "32.76.06.1001.1",
                                  "3276", "32.76.06'--", "%00"])
def test_unknown_or_malformed_code_is_404(client, code):
    response = client.get(f"/wilayah/{code}")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.get_data(as_text=True)


def test_htmx_call_clears_the_levels_below(client):
    response = client.get("/wilayah/32", headers={"HX-Request": "true", "HX-Target": "kabupaten"})
    html = response.get_data(as_text=True)
    assert '<select id="kecamatan" hx-swap-oob="innerHTML">' in html
    assert '<select id="desa" hx-swap-oob="innerHTML">' in html
    # A plain call (no htmx) is just the options.
    assert "hx-swap-oob" not in client.get("/wilayah/32").get_data(as_text=True)


def test_oob_ids_follow_the_prefix_of_the_target(client):
    html = client.get("/wilayah/32.76", headers={"HX-Request": "true",
                                                 "HX-Target": "alamat-kecamatan"}).get_data(as_text=True)
    assert '<select id="alamat-desa" hx-swap-oob="innerHTML">' in html
    assert 'id="alamat-kecamatan"' not in html


def test_fragment_is_cacheable_by_the_browser(client):
    response = client.get("/wilayah/32")
    assert "max-age=86400" in response.headers["Cache-Control"]


def test_suite_runs_on_the_database_it_was_asked_for(db):
    """Makes the PostgreSQL run visible: it fails if the backend silently fell back."""
    from webapp.db import is_sqlite

    from .dbbackend import NAME

    assert is_sqlite(db) == (NAME == "sqlite")


@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_fragment_is_compressed_once_and_each_target_gets_its_own_ids(client, encoding):
    """Fragments are kept compressed per worker: the cached bytes must still
    be right for each encoding, each picker's ids and the plain answer."""
    import gzip

    import brotli

    plain = client.get("/wilayah/32.76", headers={"HX-Request": "true", "HX-Target": "kecamatan"})
    assert "Content-Encoding" not in plain.headers
    for _ in range(2):  # the second answer comes from the cache
        packed = client.get("/wilayah/32.76", headers={"HX-Request": "true", "HX-Target": "kecamatan",
                                                      "Accept-Encoding": encoding})
        assert packed.headers["Content-Encoding"] == encoding
        assert "Accept-Encoding" in packed.headers["Vary"]
        body = (brotli.decompress if encoding == "br" else gzip.decompress)(packed.get_data())
        assert body == plain.get_data()
    other = client.get("/wilayah/32.76", headers={"HX-Request": "true", "HX-Target": "alamat-kecamatan",
                                                 "Accept-Encoding": encoding})
    body = (brotli.decompress if encoding == "br" else gzip.decompress)(other.get_data()).decode()
    assert 'id="alamat-desa"' in body and 'id="desa"' not in body


def _desa_lists(html):
    """{kecamatan: [(code, name), …]} of the lists a fragment brought along."""
    return {kec: options(body) for kec, body in
            re.findall(r'<template data-untuk="([^"]+)">(.*?)</template>', html)}


@pytest.mark.parametrize("target, box", [("kecamatan", "desa-daftar"), ("dom-kecamatan", "dom-desa-daftar")])
def test_a_kabupaten_answer_brings_each_kecamatans_desa_list(client, target, box):
    """The kecamatan list comes with every kecamatan's desa list, the very
    options the desa fragment would send, into the picker's list box."""
    headers = {"HX-Request": "true", "HX-Target": target}
    html = client.get("/wilayah/32.76", headers=headers).get_data(as_text=True)
    assert f'<div id="{box}" hx-swap-oob="innerHTML">' in html
    kecamatan = [code for code, _name in options(html.split("<select", 1)[0])[1:]]
    lists = _desa_lists(html)
    assert sorted(lists) == sorted(kecamatan) and len(kecamatan) == 11
    for kec in kecamatan:
        desa = client.get(f"/wilayah/{kec}", headers={"HX-Request": "true", "HX-Target": "desa"})
        assert lists[kec] == options(desa.get_data(as_text=True).split("<select", 1)[0]), kec


def test_only_a_kabupaten_answer_to_htmx_brings_desa_lists(client):
    htmx = {"HX-Request": "true"}
    for code, target in (("32", "kabupaten"), ("32.76.06", "desa")):
        answer = client.get(f"/wilayah/{code}", headers=dict(htmx, **{"HX-Target": target}))
        assert "<template" not in answer.text
    # A plain call (no htmx, no picker to fill) is just the options.
    assert "<template" not in client.get("/wilayah/32.76").text


@pytest.mark.parametrize("path", ["/", "/akun/daftar"])
def test_every_picker_has_the_list_box_its_fragments_fill(client, path):
    """The out-of-band lists need their box in the page: one per picker,
    named after its prefix, hidden and empty."""
    html = client.get(path).get_data(as_text=True)
    ids = re.findall(r'<select id="([^"]*)kecamatan"', html)
    assert ids, path
    for prefix in ids:
        assert f'<div id="{prefix}desa-daftar" hidden></div>' in html


def _kabupaten_data(html):
    """The kabupaten lists the lookup page brought ({provinsi: [[code after
    the province's, name], …]}), or None."""
    found = re.search(r'<script type="application/json" id="kabupaten-daftar" data-untuk="provinsi">'
                      r'(.*?)</script>', html)
    return json.loads(found.group(1)) if found else None


def test_the_lookup_page_brings_every_provinces_kabupaten_list(client):
    """What static/app.js fills the kabupaten select from, so that a province
    chosen asks the server nothing: for each of the 38 provinces the very
    options (codes, names, order) the province's fragment sends. Data in a
    <script> a text browser never prints (a <template> it would), after all
    else in the page."""
    html = client.get("/").get_data(as_text=True)
    lists = _kabupaten_data(html)
    provinces = [code for code, _name in options(html.split('<select id="kabupaten"', 1)[0]) if code]
    assert sorted(lists) == sorted(provinces) and len(provinces) == 38
    assert sum(len(kabupaten) for kabupaten in lists.values()) == 514
    for province in provinces:
        served = options(client.get(f"/wilayah/{province}").get_data(as_text=True))[1:]
        assert [(f"{province}.{code}", name) for code, name in lists[province]] == served, province
    assert "<template" not in html
    assert html.rstrip().endswith('</script>\n</body>\n</html>'.rstrip())


def test_only_a_page_with_the_picker_opened_brings_the_kabupaten_lists(client, registry_person):
    """The bytes go where a browser with JavaScript can use them: the lookup
    page opened (empty, or at a region), not the NIK form, not an htmx answer,
    not the page a search without JavaScript gets back."""
    desa = registry_person.desa_code
    assert _kabupaten_data(client.get("/").get_data(as_text=True))
    at_region = client.get(f"/?provinsi={desa[:2]}&kabupaten={desa[:5]}").get_data(as_text=True)
    assert _kabupaten_data(at_region)
    assert _kabupaten_data(client.get("/?mode=nik").get_data(as_text=True)) is None
    section = client.get(f"/?provinsi={desa[:2]}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert _kabupaten_data(section) is None
    html = client.get("/").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    chosen = client.post("/", data={"csrf_token": csrf, "pilih": "1", "mode": "nama", "provinsi": desa[:2]})
    assert chosen.status_code == 200 and 'id="kabupaten"' in chosen.get_data(as_text=True)
    assert _kabupaten_data(chosen.get_data(as_text=True)) is None


def test_a_province_renamed_reaches_the_page_lists(client, db):
    """The lists drop with the region caches (`flask load-regions` bumps
    their version): a name changed in the table shows in the next page."""
    from webapp import cacheversion

    before = _kabupaten_data(client.get("/").get_data(as_text=True))
    assert ["76", "Kota Depok"] in before["32"]
    Region.update(name="Kota Depok Baru").where(Region.code == "32.76").execute()
    cacheversion.bump("regions")
    after = _kabupaten_data(client.get("/").get_data(as_text=True))
    assert ["76", "Kota Depok Baru"] in after["32"] and ["76", "Kota Depok"] not in after["32"]
