"""The Cek Bansos page in real Chromium, as a person uses it: with
JavaScript (htmx swaps, no page loads) and without it (the "Pilih" button
and full page loads); lookup by name and by NIK at 360 px and 1280 px,
each with and without JavaScript."""

import re
import urllib.request
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from webapp.identity import mask_name

from ..conftest import CAPTCHA
from .conftest import ARTIFACTS, DESKTOP, PHONE
from .journey import EVERY_WAY, choose_region

pytestmark = pytest.mark.browser

LEVELS = ("Provinsi", "Kabupaten/Kota", "Kecamatan", "Desa/Kelurahan")
BOTH_WAYS = pytest.mark.parametrize("layout, javascript", [(PHONE, True), (DESKTOP, False)],
                                    ids=["phone-js", "desktop-nojs"])


def selects(page):
    return [page.get_by_label(label, exact=True) for label in LEVELS]


def options(select):
    return select.get_by_role("option")


def open_form_at(page, desa):
    """The form with the region already chosen, as a bookmark opens it."""
    page.goto(f"/?provinsi={desa[:2]}&kabupaten={desa[:5]}&kecamatan={desa[:8]}&desa={desa}")


def press(page, name, javascript):
    """Presses a button; without JavaScript, waits for the page it loads."""
    button = page.get_by_role("button", name=name, exact=True)
    if javascript:
        button.click()
    else:
        with page.expect_navigation():
            button.click()


def search(page, name, javascript, captcha=CAPTCHA):
    page.get_by_label("Nama sesuai KTP").fill(name)
    page.get_by_label("Ketik kode pada gambar").fill(captcha)
    press(page, "Cari data", javascript)


def mark_document(page):
    """A flag on window that only a full page load would wipe."""
    page.evaluate("() => { window.__sameDocument = true; }")


def still_same_document(page):
    return page.evaluate("() => window.__sameDocument === true")


def captcha_image(page):
    return page.get_by_role("img", name=re.compile("^Gambar kode captcha"))


def expect_found(page, person):
    """The result names the person masked, never in full."""
    result = page.get_by_role("region", name=re.compile(r"\d+ data ditemukan"))
    expect(result.get_by_role("heading", name=mask_name(person.name), exact=True)).to_be_visible()
    expect(result).not_to_contain_text(person.name)
    expect(result).not_to_contain_text(person.nik)
    return result


def region_requests(page):
    """The paths of the region fragments `page` asks for, in order."""
    asked = []
    page.on("request", lambda r: asked.append(urlsplit(r.url).path) if "/wilayah/" in r.url else None)
    return asked


def expect_listed_as_served(page, select, code):
    """`select` lists exactly what the server's fragment for `code` lists, in its order."""
    served = page.request.get(f"/wilayah/{code}").text()
    listed = re.findall(r'<option value="([^"]*)">([^<]*)</option>', served)
    expect(options(select)).to_have_count(len(listed))
    assert [(o.get_attribute("value"), o.inner_text()) for o in options(select).all()] == listed


def test_cascading_selects_and_a_search_without_page_load(new_page, snap, recipient):
    page = new_page(PHONE)
    page.goto("/")
    provinsi, kabupaten, kecamatan, desa = selects(page)
    expect(options(provinsi)).to_have_count(39)
    snap(page, "form", docs="cek-mobile.png")

    provinsi.select_option(label="Jawa Barat")
    expect(options(kabupaten)).to_have_count(28)
    expect(options(kabupaten).first).to_have_text("— Pilih —")
    snap(page, "jawa-barat")
    kabupaten.select_option(label="Kota Depok")
    kecamatan.select_option(label="Sukmajaya")
    expect(options(desa)).to_have_count(7)
    expect(desa).to_contain_text("Mekarjaya")
    snap(page, "sukmajaya")

    provinsi.select_option(label="Jawa Tengah")
    expect(options(kabupaten)).to_have_count(36)
    for lower, placeholder in ((kecamatan, "— Pilih —"), (desa, "— Pilih —")):
        expect(options(lower)).to_have_count(1)
        expect(options(lower)).to_have_text(placeholder)
        expect(lower).to_have_value("")
    snap(page, "province-changed")

    for select, name in zip(selects(page), recipient.region_names, strict=True):
        select.select_option(label=name)
    expect(desa).to_have_value(recipient.desa_code)
    mark_document(page)
    search(page, recipient.name, javascript=True)
    expect_found(page, recipient)
    expect(page.get_by_role("heading", name=re.compile(r"\d+ data ditemukan"))).to_be_focused()
    assert still_same_document(page), "the search reloaded the page instead of swapping the result in"
    snap(page, "found", docs="cek-found-mobile.png")


def test_a_kecamatan_takes_its_desa_from_the_kabupaten_answer(new_page, recipient):
    """One region request, not three: the page brought every province's
    kabupaten list and the kabupaten's answer the desa lists, so choosing a
    province or a kecamatan (even another one, then back) asks the server
    nothing, and the lists are those the server lists."""
    page = new_page(PHONE)
    asked = region_requests(page)
    page.goto("/")
    provinsi, kabupaten, kecamatan, desa = selects(page)
    code = recipient.desa_code
    for select, name in zip((provinsi, kabupaten, kecamatan), recipient.region_names[:3], strict=True):
        expect(select.get_by_role("option", name=name, exact=True)).to_have_count(1)
        select.select_option(label=name)
    expect_listed_as_served(page, desa, code[:8])
    others = [v for v in kecamatan.locator("option").evaluate_all("os => os.map(o => o.value)")
              if v and v != code[:8]]
    kecamatan.select_option(value=others[0])
    expect(desa.locator("option").nth(1)).to_have_attribute("value", re.compile("^" + re.escape(others[0])))
    kecamatan.select_option(value="")
    expect(options(desa)).to_have_count(1)
    kecamatan.select_option(value=code[:8])
    desa.select_option(value=code)
    search(page, recipient.name, javascript=True)
    expect_found(page, recipient)
    assert asked == [f"/wilayah/{code[:5]}"], asked


def test_a_province_takes_its_kabupaten_from_the_page(new_page, recipient):
    """Every province's kabupaten list came with the lookup page: each
    province chosen lists exactly the kabupaten its fragment lists, in the
    same order, clears the levels below, and asks the server nothing."""
    page = new_page(PHONE)
    asked = region_requests(page)
    page.goto("/")
    provinsi, kabupaten, kecamatan, desa = selects(page)
    code = recipient.desa_code
    provinces = [v for v in provinsi.locator("option").evaluate_all("os => os.map(o => o.value)") if v]
    for province in (code[:2], *[p for p in provinces if p != code[:2]][:3]):
        provinsi.select_option(value=province)
        expect_listed_as_served(page, kabupaten, province)
    provinsi.select_option(value=code[:2])
    kabupaten.select_option(value=code[:5])
    expect(kecamatan.locator(f'option[value="{code[:8]}"]')).to_have_count(1)
    provinsi.select_option(value=provinces[-1] if provinces[-1] != code[:2] else provinces[0])
    expect(options(kecamatan)).to_have_count(1)
    expect(options(desa)).to_have_count(1)
    assert asked == [f"/wilayah/{code[:5]}"], asked


def test_a_kecamatan_listed_by_the_server_still_asks_for_its_desa(new_page, recipient):
    """Lists the server put in the page (a bookmark, the no-JS "Pilih") came
    without the desa lists: another kecamatan then asks for its desa."""
    page = new_page(PHONE)
    code = recipient.desa_code
    open_form_at(page, code)
    kecamatan, desa = selects(page)[2:]
    other = [v for v in kecamatan.locator("option").evaluate_all("os => os.map(o => o.value)")
             if v and v != code[:8]][0]
    with page.expect_response(f"**/wilayah/{other}"):
        kecamatan.select_option(value=other)
    expect(desa.locator("option").nth(1)).to_have_attribute("value", re.compile("^" + re.escape(other)))


def test_without_javascript_pilih_fills_each_level_and_keeps_the_name(new_page, snap, recipient):
    page = new_page(DESKTOP, javascript=False)
    page.goto("/")
    name = page.get_by_label("Nama sesuai KTP")
    name.fill(recipient.name)
    levels = selects(page)
    for depth, (select, region) in enumerate(zip(levels[:3], recipient.region_names[:3], strict=True)):
        select.select_option(label=region)
        press(page, "Pilih", javascript=False)
        expect(levels[depth]).to_have_value(recipient.desa_code[:(2, 5, 8)[depth]])
        expect(options(levels[depth + 1])).not_to_have_count(1)
        expect(name).to_have_value(recipient.name)
        snap(page, f"pilih-{LEVELS[depth].split('/')[0].lower()}")
    levels[3].select_option(label=recipient.region_names[3])
    page.get_by_label("Ketik kode pada gambar").fill(CAPTCHA)
    press(page, "Cari data", javascript=False)
    expect_found(page, recipient)
    snap(page, "found")


@BOTH_WAYS
def test_a_made_up_name_is_not_found(new_page, snap, recipient, layout, javascript):
    page = new_page(layout, javascript=javascript)
    open_form_at(page, recipient.desa_code)
    search(page, "Nama Rekaan Sekali", javascript)
    expect(page.get_by_role("heading", name="Tidak Terdapat Peserta/PM")).to_be_visible()
    expect(page.get_by_text("kantor desa/kelurahan")).to_be_visible()
    snap(page, "not-found", docs="cek-not-found-desktop.png" if layout is DESKTOP else None)


@BOTH_WAYS
def test_a_wrong_captcha_keeps_the_name_and_a_retry_finds(new_page, snap, recipient, layout, javascript):
    page = new_page(layout, javascript=javascript)
    open_form_at(page, recipient.desa_code)
    first_captcha = captcha_image(page).get_attribute("src")
    search(page, recipient.name, javascript, captcha="13579")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Kode captcha salah")
    link = summary.get_by_role("link", name=re.compile("Kode captcha salah"))
    expect(link).to_have_attribute("href", "#captcha")
    expect(page.get_by_label("Nama sesuai KTP")).to_have_value(recipient.name)
    expect(page.get_by_label("Ketik kode pada gambar")).to_have_value("")
    expect(captcha_image(page)).not_to_have_attribute("src", first_captcha)
    if javascript:
        # app.js moves focus to the summary so a screen reader announces it.
        expect(summary).to_be_focused()
    else:
        expect(page).to_have_title(re.compile("^Kesalahan: "))
    snap(page, "wrong-captcha")

    page.get_by_label("Ketik kode pada gambar").fill(CAPTCHA)
    press(page, "Cari data", javascript)
    expect_found(page, recipient)
    expect(page.get_by_role("alert")).to_have_count(0)


@EVERY_WAY
def test_lookup_by_name_finds_the_recipient(new_page, snap, recipient, layout, javascript):
    """The four selects (htmx, or "Pilih" without JavaScript), a name, the captcha."""
    page = new_page(layout, javascript=javascript)
    page.goto("/")
    choose_region(page, recipient.region_names, javascript)
    expect(selects(page)[3]).to_have_value(recipient.desa_code)
    if javascript:
        mark_document(page)
    search(page, recipient.name, javascript)
    expect_found(page, recipient)
    if javascript:
        assert still_same_document(page), "the search reloaded the page instead of swapping the result in"
    if (layout, javascript) in ((PHONE, False), (DESKTOP, True)):
        snap(page, "found")


@EVERY_WAY
def test_search_by_nik(new_page, snap, recipient, layout, javascript):
    page = new_page(layout, javascript=javascript)
    page.goto("/")
    with page.expect_navigation():
        page.get_by_role("link", name="Cari dengan NIK").click()
    nik = page.get_by_label("NIK", exact=True)
    expect(nik).to_be_visible()
    expect(page.get_by_role("link", name="Cari dengan NIK")).to_have_attribute("aria-current", "page")
    if (layout, javascript) in ((PHONE, True), (DESKTOP, False)):
        snap(page, "nik-form")
    nik.fill(recipient.nik)
    page.get_by_label("Ketik kode pada gambar").fill(CAPTCHA)
    if javascript:
        mark_document(page)
    press(page, "Cari data", javascript)
    expect_found(page, recipient)
    if javascript:
        assert still_same_document(page)
    if (layout, javascript) in ((PHONE, True), (DESKTOP, False)):
        snap(page, "nik-found")


@BOTH_WAYS
def test_ganti_kode_gives_a_new_captcha_and_keeps_the_form(new_page, snap, recipient, layout, javascript):
    page = new_page(layout, javascript=javascript)
    open_form_at(page, recipient.desa_code)
    page.get_by_label("Nama sesuai KTP").fill(recipient.name)
    before = captcha_image(page).get_attribute("src")
    if javascript:
        mark_document(page)
    press(page, "Ganti kode", javascript)
    expect(captcha_image(page)).not_to_have_attribute("src", before)
    expect(page.get_by_label("Nama sesuai KTP")).to_have_value(recipient.name)
    expect(selects(page)[3]).to_have_value(recipient.desa_code)
    if javascript:
        assert still_same_document(page)
    snap(page, "new-captcha")

    # the new challenge is the one the server checks
    page.get_by_label("Ketik kode pada gambar").fill(CAPTCHA)
    press(page, "Cari data", javascript)
    expect_found(page, recipient)


def _gzip_only_size(url):
    """Bytes a client that accepts only gzip receives for `url`."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})  # noqa: S310 - http only
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return len(response.read())


def test_page_weight_on_a_cold_cache(new_page):
    page = new_page(PHONE)
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto("/")
    page.wait_for_load_state("networkidle")

    rows = []
    for response in responses:
        parts = urlsplit(response.url)
        name = parts.path + ("?" + parts.query if parts.query else "")
        rows.append((name[:44], response.status, len(response.body()),
                     response.request.sizes()["responseBodySize"],
                     response.headers.get("content-encoding", "-"), _gzip_only_size(response.url)))
    totals = [sum(row[i] for row in rows) for i in (2, 3, 5)]
    lines = [f"Page weight of / on a cold cache (Chromium, JavaScript on, 360x640): {len(rows)} requests",
             "bytes = response bodies; received = what Chromium got (its Accept-Encoding);",
             "gzip-only = what a client sending only 'Accept-Encoding: gzip' gets",
             f"{'resource':<44} {'status':>6} {'bytes':>7} {'received':>8} {'enc':>5} {'gzip-only':>9}"]
    lines += [f"{n:<44} {s:>6} {b:>7} {r:>8} {e:>5} {g:>9}" for n, s, b, r, e, g in rows]
    lines.append(f"{'total':<44} {'':>6} {totals[0]:>7} {totals[1]:>8} {'':>5} {totals[2]:>9}")
    report = "\n".join(lines)
    print("\n" + report)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "page-weight.txt").write_text(report + "\n")

    assert all(row[1] == 200 for row in rows), report
    assert len(rows) <= 5, report
    assert totals[1] <= 30 * 1024, report
