"""The Cek Bansos page: the journey a person makes, over HTTP."""

import re

import pytest

from webapp.identity import mask_name
from webapp.registry.models import Enrollment, Person

from .conftest import form_fields
from .helpers import text


def result_of(response):
    """The result section only (the form above it echoes what was typed)."""
    html = text(response)
    start = html.find('<section class="result"')
    assert start >= 0, "no result section"
    return html[start:html.find("</section>", start)]


def test_page_lists_38_provinces_and_a_captcha(client):
    response = client.get("/")
    html = text(response)
    assert response.status_code == 200
    assert len(re.findall(r'<option value="\d\d">', html)) == 38
    assert re.search(r'<img src="(data:image/png;base64,|/captcha/)[^"]+"', html)
    assert "Vary" in response.headers and "HX-Request" in response.headers["Vary"]


def test_without_javascript_a_get_fills_the_next_level(client):
    html = text(client.get("/?provinsi=32&kabupaten=32.76&kecamatan=32.76.06"))
    assert '<option value="32" selected>' in html
    assert '<option value="32.76" selected>' in html
    assert '<option value="32.76.06" selected>' in html
    assert re.search(r'<option value="32\.76\.06\.\d{4}">', html)  # desa of Beji


def test_a_broken_chain_is_cut_where_it_breaks(client):
    html = text(client.get("/?provinsi=32&kabupaten=33.01&kecamatan=33.01.01"))
    assert '<option value="32" selected>' in html
    assert 'value="33.01' not in html
    assert not re.search(r'<option value="32\.\d\d\.\d\d"', html)


def test_pilih_button_keeps_what_was_typed(client):
    csrf, token = form_fields(text(client.get("/")))
    response = client.post("/", data={"csrf_token": csrf, "captcha_token": token, "mode": "nama",
                                      "provinsi": "32", "kabupaten": "32.76", "nama": "Siti Aminah",
                                      "pilih": "1"})
    html = text(response)
    assert response.status_code == 200
    assert 'value="Siti Aminah"' in html
    assert re.search(r'<option value="32\.76\.06">', html)
    assert "Ada yang perlu diperbaiki" not in html


def test_demo_person_is_found_with_masked_name_and_programs(lookup, registry_person):
    response = lookup.by_name(registry_person.desa_code, registry_person.name)
    html = result_of(response)
    assert response.status_code == 200
    assert mask_name(registry_person.name) in html
    assert registry_person.name not in html
    assert registry_person.nik not in html
    assert "DTSEN Triwulan" in html
    assert "Tidak Terdapat Peserta/PM" not in html
    receives = Enrollment.select().where((Enrollment.household == registry_person.household_id)
                                         & (Enrollment.status == "YA")).exists()
    assert receives and ">YA<" in html


def test_name_matches_regardless_of_case_spacing_and_titles(lookup, registry_person):
    typed = "  hj.  " + registry_person.name.upper().replace(" ", "   ") + ", S.Pd "
    html = text(lookup.by_name(registry_person.desa_code, typed))
    assert mask_name(registry_person.name) in html


def test_a_partial_name_finds_nothing(lookup, db):
    person = next(p for p in Person.select().order_by(Person.id)
                  if len(p.name_norm.split()) >= 2)
    first_word = person.name_norm.split()[0]
    html = text(lookup.by_name(person.desa_code, first_word))
    assert "Tidak Terdapat Peserta/PM" in html
    # and the whole name does find them
    assert mask_name(person.name) in text(lookup.by_name(person.desa_code, person.name))


def test_the_same_name_in_another_desa_is_not_found(lookup, registry_person):
    html = text(lookup.by_name("32.76.01.1006", registry_person.name))
    assert "Tidak Terdapat Peserta/PM" in html


def test_made_up_name_is_not_found_and_told_what_to_do(lookup):
    html = text(lookup.by_name("32.76.06.1001", "Nama Rekaan Sekali"))
    assert "Tidak Terdapat Peserta/PM" in html
    assert "kantor desa/kelurahan" in html
    assert "KTP dan KK" in html


def test_lookup_by_nik(lookup, registry_person):
    html = result_of(lookup.by_nik(registry_person.nik))
    assert mask_name(registry_person.name) in html
    assert registry_person.nik not in html and registry_person.name not in html


def test_bad_nik_says_what_is_wrong(lookup):
    response = lookup.by_nik("12345")
    assert response.status_code == 422
    html = text(response)
    assert "16 digit" in html
    assert "<title>Kesalahan: " in html
    assert 'value="12345"' in html


def test_wrong_captcha_keeps_the_name_and_gives_a_new_captcha(lookup, registry_person):
    response = lookup.by_name(registry_person.desa_code, registry_person.name, captcha="WRONG")
    html = text(response)
    assert response.status_code == 422
    assert "Kode captcha salah" in html
    assert f'value="{registry_person.name}"' in html
    assert mask_name(registry_person.name) not in html
    assert 'href="#captcha"' in html  # the error summary links to the field


def test_replayed_captcha_is_refused(client, registry_person):
    csrf, token = form_fields(text(client.get("/")))
    desa = registry_person.desa_code
    data = {"csrf_token": csrf, "captcha_token": token, "captcha": "24680", "mode": "nama",
            "provinsi": desa[:2], "kabupaten": desa[:5], "kecamatan": desa[:8], "desa": desa,
            "nama": registry_person.name}
    assert client.post("/", data=data).status_code == 200
    again = client.post("/", data=data)
    assert again.status_code == 422
    assert "sudah dipakai" in text(again)


def test_missing_csrf_is_refused(client, registry_person):
    _csrf, token = form_fields(text(client.get("/")))
    response = client.post("/", data={"captcha_token": token, "captcha": "24680", "mode": "nik",
                                      "nik": registry_person.nik})
    assert response.status_code == 400
    assert mask_name(registry_person.name) not in text(response)
    assert "terlalu lama terbuka" in text(response)
    assert f'value="{registry_person.nik}"' in text(response)  # what was typed is kept


def test_htmx_sends_the_token_in_a_header_and_gets_a_fragment(client, registry_person):
    html = text(client.get("/?mode=nik"))
    csrf = re.search(r'&#34;X-CSRFToken&#34;: &#34;([^&]+)&#34;', html).group(1)
    _c, token = form_fields(html)
    response = client.post("/", data={"captcha_token": token, "captcha": "24680", "mode": "nik",
                                      "nik": registry_person.nik},
                           headers={"HX-Request": "true", "X-CSRFToken": csrf})
    body = text(response)
    assert response.status_code == 200
    assert body.lstrip().startswith("<title>")  # htmx sets the page title from it
    assert '<section id="cek"' in body
    assert "<html" not in body
    assert mask_name(registry_person.name) in body


def test_region_is_required_for_a_name_search(lookup, client):
    csrf, token = form_fields(text(client.get("/")))
    response = client.post("/", data={"csrf_token": csrf, "captcha_token": token, "captcha": "24680",
                                      "mode": "nama", "provinsi": "32", "nama": "Siti"})
    assert response.status_code == 422
    assert "Pilih Kabupaten/Kota" in text(response)


@pytest.mark.parametrize("name, message", [
    ("x" * 10_000, "terlalu panjang"),
    ("", "Masukkan nama lengkap"),
    ("12345 !!!", "hanya berisi huruf"),
    ("\x00\x00", "Masukkan nama lengkap"),
    ("😀😀", "hanya berisi huruf"),
    ("'; DROP TABLE person; --", None),
    ("<script>alert(1)</script>", None),
])
def test_hostile_names_get_a_message_never_a_500(lookup, name, message):
    response = lookup.by_name("32.76.06.1001", name)
    html = text(response)
    assert response.status_code in (200, 422)
    if message:
        assert message in html
    assert "<script>alert(1)</script>" not in html
    assert Person.select().count() > 0


@pytest.mark.app_config(RATELIMIT_ENABLED=True, LOOKUP_RATE_LIMIT="3 per minute")
def test_lookups_are_rate_limited_with_a_readable_page(lookup):
    statuses = [lookup.by_nik("3276064506900001").status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3] == 429
    last = lookup.by_nik("3276064506900001")
    assert "terlalu sering" in text(last)
    assert 'value="3276064506900001"' in text(last)  # the form comes back, input kept


def test_security_headers(client):
    headers = client.get("/").headers
    csp = headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp and "base-uri 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "no-store"


def test_static_files_are_fingerprinted_and_cached(client):
    html = text(client.get("/"))
    css = re.search(r'href="(/static/app\.css\?v=[0-9a-f]+)"', html).group(1)
    htmx = re.search(r'src="(/static/vendor/htmx/htmx\.min\.js\?v=[0-9a-f]+)"', html).group(1)
    for url in (css, htmx):
        with client.get(url) as response:
            assert response.status_code == 200
            assert "immutable" in response.headers["Cache-Control"]


def test_pages_are_compressed(client):
    response = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("Content-Encoding") == "gzip"


def test_unknown_page_is_a_short_indonesian_404(client):
    response = client.get("/tidak-ada")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in text(response)
    assert "Traceback" not in text(response)


def test_htmx_reaches_a_gzip_only_client_compressed(client):
    html = text(client.get("/"))
    htmx = re.search(r'src="(/static/vendor/htmx/htmx\.min\.js\?v=[0-9a-f]+)"', html).group(1)
    with client.get(htmx, headers={"Accept-Encoding": "gzip"}) as response:
        assert response.headers.get("Content-Encoding") == "gzip"
        assert len(response.data) < 20000


def test_static_files_are_served_brotli_when_accepted(client):
    html = text(client.get("/"))
    css = re.search(r'href="(/static/app\.css\?v=[0-9a-f]+)"', html).group(1)
    with client.get(css, headers={"Accept-Encoding": "br, gzip"}) as response:
        assert response.headers.get("Content-Encoding") == "br"
        assert "Accept-Encoding" in response.headers["Vary"]


def test_htmx_search_from_a_clean_form_gets_the_result_and_a_fresh_captcha_only(client, registry_person):
    """A browser searching from a form that shows no errors gets back the
    title, the result in place of the old one and a new captcha out of band;
    the form (and what was typed) stays in the page. The old captcha is used up."""
    html = text(client.get("/?mode=nik"))
    assert 'name="tampil" value="bersih"' in html and 'id="hasil-slot"' in html
    csrf, token = form_fields(html)
    form = {"csrf_token": csrf, "captcha_token": token, "captcha": "24680", "mode": "nik",
            "nik": registry_person.nik, "tampil": "bersih"}
    response = client.post("/", data=form, headers={"HX-Request": "true"})
    body = text(response)
    assert response.status_code == 200
    assert response.headers["HX-Retarget"] == "#hasil, #hasil-slot"
    assert body.lstrip().startswith("<title>1 data ditemukan")
    assert mask_name(registry_person.name) in body and 'id="hasil"' in body
    assert "<form" not in body and 'id="cek"' not in body
    fresh = re.search(r'<div id="captcha-box"[^>]*hx-swap-oob="true"', body)
    assert fresh and form_fields(body)[1] not in (None, token)
    again = client.post("/", data=form, headers={"HX-Request": "true"})
    assert again.status_code == 422 and "sudah dipakai" in text(again)
    assert 'id="cek"' in text(again)  # an error: the whole form again, with its marks
    assert 'name="tampil"' not in text(again)


def test_htmx_not_found_from_a_clean_form_says_what_was_searched(lookup, client, registry_person):
    csrf, token = form_fields(text(client.get("/")))
    desa = registry_person.desa_code
    parts = desa.split(".")
    response = client.post("/", headers={"HX-Request": "true"}, data={
        "csrf_token": csrf, "captcha_token": token, "captcha": "24680", "mode": "nama", "tampil": "bersih",
        "nama": "Nama Rekaan Sekali", "provinsi": parts[0], "kabupaten": ".".join(parts[:2]),
        "kecamatan": ".".join(parts[:3]), "desa": desa})
    body = text(response)
    assert response.status_code == 200 and "HX-Retarget" in response.headers
    assert "Tidak Terdapat Peserta/PM" in body and "Nama Rekaan Sekali" in body
    assert "<form" not in body


def test_first_page_carries_its_captcha_image_inline(client):
    """The page a visit opens with needs no second request for its captcha:
    the image is in the page, a small PNG of the same challenge as the
    token's own URL; a new code (htmx) still loads it by URL."""
    import base64
    import io

    from PIL import Image

    html = text(client.get("/"))
    inline = re.search(r'<img src="data:image/png;base64,([^"]+)" width="170" height="64"', html)
    assert inline, "no inline captcha image"
    png = base64.b64decode(inline.group(1))
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) < 6000
    assert Image.open(io.BytesIO(png)).size == (170, 64)
    _csrf, token = form_fields(html)
    assert client.get(f"/captcha/{token}.png").status_code == 200
    fresh = text(client.get("/captcha/baru?jenis=image", headers={"HX-Request": "true"}))
    assert re.search(r'<img src="/captcha/[^"]+\.png"', fresh)


def test_each_visitor_gets_own_captcha_on_the_empty_page(app, registry_person):
    """The empty page is rendered once per worker: still every visitor gets
    their own captcha token and image and a CSRF token, and they work; the
    English page stays English."""
    first, second = app.test_client(), app.test_client()
    pages = [text(c.get("/")) for c in (first, second)]
    tokens = [form_fields(html) for html in pages]
    assert tokens[0][1] != tokens[1][1] and all(csrf for csrf, _ in tokens)
    images = [re.search(r'<img src="((?:data:|/captcha/)[^"]+)"', html).group(1) for html in pages]
    assert images[0] != images[1]
    # No stand-in left (webapp.cek.views: "x19…standin"): "x19" alone turns
    # up by chance in one image's base64 in about a hundred.
    assert not [page for page in pages if re.search(r"x19\w*standin", page)]
    csrf, token = tokens[0]
    response = first.post("/", data={"csrf_token": csrf, "captcha_token": token, "captcha": "24680",
                                     "mode": "nik", "nik": registry_person.nik})
    assert response.status_code == 200 and mask_name(registry_person.name) in text(response)
    first.post("/bahasa", data={"csrf_token": tokens[0][0], "lang": "en", "next": "/"})
    assert 'lang="en"' in text(first.get("/")) and 'lang="id"' in text(second.get("/"))


def test_program_lines_kept_per_worker_follow_the_language(app, registry_person):
    """A program line reads the same for everyone with the same facts and is
    built once per worker: still in the language of each request, and frozen,
    so one result cannot change another's."""
    import dataclasses

    from flask_babel import force_locale

    from webapp.cek.services import lookup_by_nik

    def lines(lang):
        with app.test_request_context("/"), force_locale(lang):
            return lookup_by_nik(registry_person.nik).people[0].programs

    first = lines("id")
    not_in = [line for line in first if not line.receives]
    assert not_in and {line.status_word for line in not_in} == {"TIDAK"}
    with pytest.raises(dataclasses.FrozenInstanceError):
        not_in[0].status_word = "changed"
    assert lines("id")[0] is first[0]  # the same line, not built again
    english = lines("en")
    assert {line.status_word for line in english if not line.receives} == {"NO"}
    assert [line.code for line in english] == [line.code for line in first]


def test_program_rows_kept_per_worker_read_as_rendered_afresh(app, client, registry_person):
    """The programs table's rows come from a per-worker cache: the answer is
    the one a fresh render gives, in the language asked, and a change of the
    programs (cache version "programs") drops the rows kept."""
    import dataclasses

    from flask import get_template_attribute
    from flask_babel import force_locale

    from webapp import cacheversion
    from webapp.cek import rows
    from webapp.cek.services import lookup_by_nik

    rows._kept.clear()
    page = client.get("/")
    csrf, token = form_fields(text(page))
    answer = client.post("/", data={"csrf_token": csrf, "captcha_token": token, "captcha": "24680",
                                    "mode": "nik", "nik": registry_person.nik})
    assert answer.status_code == 200 and mask_name(registry_person.name) in text(answer)
    assert rows._kept  # the answer's rows were kept (not rendered by the macro alone)
    with app.test_request_context("/"), force_locale("en"):
        lines = lookup_by_nik(registry_person.nik).people[0].programs
        fresh = get_template_attribute("macros/programs.html", "program_row_markup")
        for expand in (True, False):
            for line in lines:
                assert rows.program_row(line, expand) == fresh(line, expand)
                assert rows.program_row(line, expand) is rows.program_row(line, expand)
                apart = dataclasses.replace(line, key=())  # a line built apart: never kept
                assert rows.program_row(apart, expand) == fresh(line, expand)
        row = rows.program_row(lines[0], True)
        assert lines[0].name in row and "<tr" in row
    with app.test_request_context("/"), force_locale("id"):
        indonesian = rows.program_row(lookup_by_nik(registry_person.nik).people[0].programs[0], True)
    for lang in ("id", "en"):  # the registry facts and the head of many people, kept and afresh
        with app.test_request_context("/"), force_locale(lang):
            facts = get_template_attribute("macros/programs.html", "person_registry_facts_markup")
            head = get_template_attribute("macros/programs.html", "programs_head_markup")
            assert rows.programs_head() == head() and "<thead>" in head()
            niks = [nik for (nik,) in Person.select(Person.nik).order_by(Person.id).limit(300).tuples()]
            seen = set()
            for nik in niks:
                for p in lookup_by_nik(nik).people:
                    seen.add((p.desil, p.dtsen_note_code, p.kpd_code))
                    for label in (None, "Peringkat Kesejahteraan Keluarga"):
                        assert rows.registry_facts(p, "skala", label) == facts(p, "skala", label), (nik, lang)
            assert len(seen) > 5  # many kinds of people, not one
    assert indonesian != row
    assert rows._kept
    with app.app_context():
        cacheversion.bump("programs")  # what seed_programs does with a change
    assert not rows._kept


def test_two_of_one_name_in_one_household_each_get_the_household_programs_once(app, registry_person):
    """The lookup reads persons and their households' enrollments in one
    query (one row per enrollment): two people found in one household still
    get each program once, and an enrollment of one of them is theirs alone."""
    from webapp import clock
    from webapp.cek.services import lookup_by_name
    from webapp.registry.models import Enrollment, Person, Program
    from webapp.registry.programs import quarter_of

    with app.test_request_context("/"):
        alone = lookup_by_name(registry_person.desa_code, registry_person.name)
        assert len(alone.people) == 1
        before = [(line.code, line.receives, line.stage) for line in alone.people[0].programs]
        twin = Person.create(nik="3276061508900998", name=registry_person.name,
                             birth_date=registry_person.birth_date, sex=registry_person.sex,
                             household=registry_person.household, desa=registry_person.desa,
                             relationship="Anak")
        not_received = next(code for code, receives, _stage in before if not receives)
        year, quarter = quarter_of(clock.today())
        Enrollment.create(household=registry_person.household, person=twin,
                          program=Program.get_by_id(not_received), year=year, quarter=quarter,
                          status="YA", stage="PENETAPAN")
        both = lookup_by_name(registry_person.desa_code, registry_person.name)
    first, second = both.people
    assert [(line.code, line.receives, line.stage) for line in first.programs] == before
    assert len(second.programs) == len(before)  # each program once, not once per person found
    assert second.program(not_received).receives and not first.program(not_received).receives
