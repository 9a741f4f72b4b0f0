"""Issue 13 in real Chromium: everyone reaches an answer. The picker chosen
before htmx is ready and after Back on a 400 kbps link, dropped requests
(route.abort) for a region fragment and for the search, the selfie chosen
while the KTP photo uploads, a 240×320 screen, a kiosk without JavaScript
after "Selesai" (Back, Reload) and the kiosk's own portrait and landscape
layouts, the captcha's audio switch (focus, announcement)."""

import contextlib
import os
import re
import shutil

import pytest
from PIL import Image
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from ..conftest import CAPTCHA
from .conftest import DOCS_SCREENSHOTS, PHONE, SCREENSHOTS, start_server
from .test_slow_network_browser import SLOW, account_needing_photos, sign_in, throttle

pytestmark = pytest.mark.browser

RETRY = "Permintaan tidak sampai"
FEATURE_PHONE = {"viewport": {"width": 240, "height": 320}, "has_touch": True, "is_mobile": True}
PORTRAIT = {"viewport": {"width": 1080, "height": 1920}, "has_touch": True}
LANDSCAPE = {"viewport": {"width": 1366, "height": 768}, "has_touch": True}


def shot(page, name, full_page=False):
    """A screenshot into test-artifacts, and into docs/screenshots with
    UPDATE_DOCS_SCREENSHOTS=1."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=path, full_page=full_page, caret="initial")
    if os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1":
        shutil.copyfile(path, DOCS_SCREENSHOTS / name)


def selects(page):
    return [page.get_by_label(label, exact=True)
            for label in ("Provinsi", "Kabupaten/Kota", "Kecamatan", "Desa/Kelurahan")]


def option_count(select):
    return select.evaluate("s => s.options.length")


# -- 2. the picker is never stuck ---------------------------------------------
def test_a_province_chosen_before_htmx_is_ready_loads_the_next_level(new_page, recipient):
    page = new_page(PHONE)
    page.set_default_timeout(SLOW)
    throttle(page)
    held = []
    page.route("**/htmx.min.js*", lambda route: held.append(route))  # htmx arrives only after the pick
    page.goto("/", wait_until="commit")
    provinsi, kabupaten = selects(page)[:2]
    provinsi.get_by_role("option", name=recipient.region_names[0]).wait_for(state="attached")
    provinsi.select_option(label=recipient.region_names[0])
    assert page.evaluate("() => !window.htmx"), "the pick must come before htmx"
    page.wait_for_timeout(300)
    for route in held:
        route.continue_()
    page.unroute("**/htmx.min.js*")
    expect(kabupaten.get_by_role("option", name=recipient.region_names[1])).to_be_attached()


def test_back_to_the_lookup_page_fills_the_lower_levels(new_page, recipient):
    page = new_page(PHONE)
    page.set_default_timeout(SLOW)
    throttle(page)
    page.goto("/")
    provinsi, kabupaten, kecamatan, _desa = selects(page)
    provinsi.select_option(label=recipient.region_names[0])
    kabupaten.select_option(label=recipient.region_names[1])
    expect(kecamatan.get_by_role("option", name=recipient.region_names[2])).to_be_attached()
    page.get_by_role("link", name="Cek status usulan", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cek status usulan")
    page.go_back()
    provinsi, kabupaten = selects(page)[:2]
    expect(page.get_by_role("heading", level=1)).to_have_text("Cek Penerima Bantuan Sosial")
    page.wait_for_load_state("load")
    chosen = provinsi.input_value()
    pilih = page.get_by_role("button", name="Pilih", exact=True)
    if chosen:  # the browser restored the choice: the level below is filled
        expect(kabupaten.get_by_role("option", name=recipient.region_names[1])).to_be_attached()
    else:  # nothing restored: an empty picker, which works as at first
        expect(pilih).to_be_hidden()
        assert option_count(kabupaten) == 1
    assert option_count(kabupaten) > 1 or not chosen or pilih.is_visible()


# -- 3. a dropped request says so, keeps what was typed, and retries ---------
def test_a_dropped_fragment_shows_a_retry_that_works(new_page, recipient):
    """The page brought the kabupaten lists; the first region request is the
    kabupaten's (its kecamatan), and that one is dropped."""
    page = new_page(PHONE)
    page.goto("/")
    provinsi, kabupaten, kecamatan = selects(page)[:3]
    page.route("**/wilayah/**", lambda route: route.abort("connectionreset"), times=1)
    provinsi.select_option(label=recipient.region_names[0])
    kabupaten.select_option(label=recipient.region_names[1])
    alert = page.get_by_role("alert").filter(has_text=RETRY)
    expect(alert).to_be_visible()
    assert option_count(kecamatan) == 1
    retry = alert.get_by_role("button", name="Coba lagi")
    expect(retry).to_be_focused()
    shot(page, "retry-message-mobile.png")
    retry.click()
    expect(kecamatan.get_by_role("option", name=recipient.region_names[2])).to_be_attached()
    expect(alert).to_have_count(0)


def test_a_dropped_search_keeps_the_name_and_retries(new_page, recipient):
    page = new_page(PHONE)
    desa = recipient.desa_code
    page.goto(f"/?provinsi={desa[:2]}&kabupaten={desa[:5]}&kecamatan={desa[:8]}&desa={desa}")
    page.get_by_label("Nama sesuai KTP").fill(recipient.name)
    page.get_by_label("Ketik kode pada gambar").fill(CAPTCHA)
    page.route("**/", lambda route: route.abort("connectionreset") if route.request.method == "POST"
               else route.continue_(), times=1)
    page.get_by_role("button", name="Cari data", exact=True).click()
    alert = page.get_by_role("alert").filter(has_text=RETRY)
    expect(alert).to_be_visible()
    expect(page.get_by_label("Nama sesuai KTP")).to_have_value(recipient.name)
    expect(page.get_by_role("button", name="Cari data", exact=True)).to_be_enabled()
    alert.get_by_role("button", name="Coba lagi").click()
    expect(page.get_by_role("heading", name=re.compile(r"\d+ data ditemukan"))).to_be_visible()
    expect(page).to_have_title(re.compile(r"^\d+ data ditemukan – "))


# -- 4. without JavaScript the answer page opens at the result --------------
def test_without_javascript_the_result_is_on_screen_and_in_the_title(new_page, recipient):
    page = new_page(FEATURE_PHONE, javascript=False)
    desa = recipient.desa_code
    page.goto(f"/?provinsi={desa[:2]}&kabupaten={desa[:5]}&kecamatan={desa[:8]}&desa={desa}")
    page.get_by_label("Nama sesuai KTP").fill("Nama Yang Tidak Ada Sama Sekali")
    page.get_by_label("Ketik kode pada gambar").fill(CAPTCHA)
    with page.expect_navigation():
        page.get_by_role("button", name="Cari data", exact=True).click()
    expect(page).to_have_title(re.compile("^Tidak ditemukan – "))
    heading = page.get_by_role("heading", name="Tidak Terdapat Peserta/PM")
    box = heading.bounding_box()
    assert 0 <= box["y"] < 320, f"the result heading is at {box['y']} px, off the first screen"
    expect(page.get_by_text("Nama Yang Tidak Ada Sama Sekali")).to_be_visible()
    status_link = page.get_by_role("link", name="Sudah mengajukan usulan? Cek status usulan tanpa akun")
    expect(status_link).to_have_count(2)  # under the form and in the not-found steps


# -- 5. the selfie chosen while the KTP photo uploads stays chosen ----------
def test_choosing_the_selfie_while_the_ktp_uploads_keeps_it(new_page, live_server, tmp_path):
    ktp, selfie = tmp_path / "ktp.png", tmp_path / "swafoto.png"
    Image.new("RGB", (320, 200), (30, 120, 200)).save(ktp, "PNG")
    Image.new("RGB", (200, 150), (200, 120, 30)).save(selfie, "PNG")
    email = account_needing_photos(live_server, 7)
    page = new_page(PHONE)
    sign_in(page, email)
    page.goto("/akun/foto")
    held = []
    page.route("**/akun/foto/ktp", lambda route: held.append(route))
    page.locator("#foto-ktp").get_by_label("Pilih foto", exact=True).set_input_files(str(ktp))
    page.get_by_role("button", name="Unggah foto KTP").click()
    page.wait_for_function("() => document.querySelector('#foto-ktp progress:not([hidden])')")
    selfie_input = page.locator("#foto-selfie input[type=file]")
    selfie_input.set_input_files(str(selfie))
    while not held:
        page.wait_for_timeout(50)
    held[0].continue_()
    expect(page.get_by_role("img", name="Foto KTP yang Anda unggah")).to_be_visible()
    assert selfie_input.evaluate("input => input.files.length") == 1
    page.get_by_role("button", name="Unggah swafoto sambil memegang KTP").click()
    expect(page.get_by_role("img", name=re.compile("^Swafoto.* yang Anda unggah"))).to_be_visible()
    expect(page.get_by_text("Pilih berkas foto terlebih dulu")).to_have_count(0)


# -- 8. 240×320 --------------------------------------------------------------
@pytest.mark.parametrize("lang,width", [("id", 240), ("en", 240), ("en", 360)])
def test_small_screens_show_the_first_select_and_whole_placeholders(new_page, recipient, lang, width):
    layout = {**FEATURE_PHONE, "viewport": {"width": width, "height": 320 if width == 240 else 640}}
    page = new_page(layout)
    page.goto("/")
    if lang == "en":
        page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
    first = page.locator("select").first
    box = first.bounding_box()
    fold = layout["viewport"]["height"]
    assert box["y"] + box["height"] <= fold, f"the first select ends at {box['y'] + box['height']} px"
    # Every placeholder fits its select: text width measured with the select's own font.
    cut = page.evaluate("""() => [...document.querySelectorAll('select')].map(s => {
        const c = document.createElement('canvas').getContext('2d');
        const st = getComputedStyle(s);
        c.font = st.font;
        const room = s.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight) - 20;
        return [s.options[0].text, c.measureText(s.options[0].text).width, room];
    }).filter(([, w, room]) => w > room)""")
    assert not cut, f"cut placeholders: {cut}"
    if width == 240 and lang == "id":
        provinsi, kabupaten = selects(page)[:2]
        provinsi.select_option(label=recipient.region_names[0])
        expect(kabupaten.get_by_role("option", name=recipient.region_names[1])).to_be_attached()
        shot(page, "cek-240x320.png")


# -- 1. the captcha's audio switch ---------------------------------------------
def test_listening_to_the_code_moves_focus_and_is_announced(new_page):
    page = new_page(PHONE)
    page.goto("/")
    page.get_by_role("button", name="Dengarkan kode").click()
    link = page.get_by_role("link", name=re.compile(r"^Buka file kode suara \(MP3"))
    expect(link).to_be_focused()
    expect(page.get_by_role("status").filter(has_text="Kode suara baru siap")).to_have_count(1)
    expect(page.get_by_label("Ketik angka yang Anda dengar")).to_be_visible()
    href = link.get_attribute("href")
    response = page.request.get(href)
    assert response.ok and response.headers["content-type"] == "audio/mpeg"
    assert len(response.body()) <= 60_000
    assert page.locator(f'audio a[href="{href}"]').count() == 1  # the fallback inside <audio>


# -- 6. the kiosk ----------------------------------------------------------------
@pytest.fixture(scope="module")
def kiosk_server(template_instance, tmp_path_factory):
    with start_server(template_instance, tmp_path_factory, KIOSK_MODE=True) as server:
        yield server


def test_kiosk_without_javascript_never_shows_the_previous_person(new_page, kiosk_server, recipient):
    page = new_page(PHONE, javascript=False, server=kiosk_server)
    page.goto("/?mode=nik")
    page.get_by_label("NIK").fill(recipient.nik)
    page.get_by_label("Ketik kode pada gambar").fill(CAPTCHA)
    with page.expect_navigation():
        page.get_by_role("button", name="Cari data", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(r"\d+ data ditemukan"))).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("button", name="Selesai").first.click()
    seen = []
    for step in ("back", "reload"):
        with contextlib.suppress(PlaywrightError):  # Chromium's "confirm resubmission" page
            page.go_back() if step == "back" else page.reload()
        seen.append(f"{step}: {page.url} {page.title()!r}")
        page.wait_for_load_state()
        page.wait_for_timeout(500)
        page.wait_for_load_state()
        html = page.content()
        assert recipient.nik not in html and recipient.name not in html, step
        assert not re.search(r"\d+ data ditemukan", html), step
    print("kiosk no-JS after Selesai:", seen)
    page.goto("/?mode=nik")
    expect(page.get_by_label("NIK")).to_have_value("")


def kiosk_lookup(page, recipient):
    desa = recipient.desa_code
    page.goto(f"/?provinsi={desa[:2]}&kabupaten={desa[:5]}&kecamatan={desa[:8]}&desa={desa}")
    page.get_by_label("Nama sesuai KTP").fill(recipient.name)
    page.get_by_label("Ketik kode pada gambar").fill(CAPTCHA)
    page.get_by_role("button", name="Cari data", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(r"\d+ data ditemukan"))).to_be_visible()


def test_kiosk_portrait_uses_the_screen_with_large_targets(new_page, kiosk_server, recipient):
    page = new_page(PORTRAIT, server=kiosk_server)
    kiosk_lookup(page, recipient)
    main = page.locator("main").bounding_box()
    assert main["width"] >= 0.8 * 1080
    for name in ("Cari data", "Cetak hasil"):
        box = page.get_by_role("button", name=name, exact=True).bounding_box()
        assert box["height"] >= 64, (name, box)
    size = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 22
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    shot(page, "kiosk-portrait.png")


def test_kiosk_landscape_puts_the_result_beside_the_form(new_page, kiosk_server, recipient):
    page = new_page(LANDSCAPE, server=kiosk_server)
    kiosk_lookup(page, recipient)
    form = page.locator("#cek > form").bounding_box()
    result = page.locator("#hasil").bounding_box()
    assert result["x"] >= form["x"] + form["width"], (form, result)
    assert result["y"] < 768, "the result starts on the screen"
    box = page.get_by_role("button", name="Cari data", exact=True).bounding_box()
    assert box["height"] >= 56
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    shot(page, "kiosk-landscape.png")
