"""Issue #8, slow networks: real Chromium throttled to 400 kbps each way with
a 400 ms round trip (DevTools network emulation), a cold cache every time.

Measures how soon the lookup page is usable and how soon a result appears
after submitting (with htmx and without JavaScript), and a 3 MB photo upload
that shows progress and survives failures. The figures are printed and
written to test-artifacts/slow-network.json (see docs/benchmarks.md, "Slow
network (issue #8)"); only correctness is asserted, never a timing, because
machines are noisy."""

import io
import json
import random
import re
import time
from datetime import datetime, timezone
from urllib.parse import urlsplit

import pytest
from PIL import Image
from playwright.sync_api import expect

from ..conftest import CAPTCHA
from .conftest import ARTIFACTS, PHONE

pytestmark = pytest.mark.browser

KBPS = 400
LATENCY_MS = 400
CONDITIONS = {"offline": False, "latency": LATENCY_MS,
              "downloadThroughput": KBPS * 1000 / 8, "uploadThroughput": KBPS * 1000 / 8}
REPORT = ARTIFACTS / "slow-network.json"
PASSWORD = "kuda lari di sawah hijau"
FAILED = "Unggahan gagal. Periksa sambungan lalu coba lagi."
# Nothing here is a timing assertion: these only stop a hung test.
SLOW = 60_000
UPLOAD_TIMEOUT = 240_000


def throttle(page):
    """DevTools network emulation for this page, from now on."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", CONDITIONS)
    return cdp


def record(key, figures):
    """Adds one measurement to the artifact and prints it."""
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(REPORT.read_text()) if REPORT.exists() else {}
    data["conditions"] = {"down_kbps": KBPS, "up_kbps": KBPS, "latency_ms": LATENCY_MS,
                          "cache": "cold (a new browser context for each test)"}
    data[key] = {"measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), **figures}
    REPORT.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    print(f"\nslow network, {key}: {json.dumps(figures, ensure_ascii=False)}")


def navigation_timing(page):
    """DOMContentLoaded, load, first contentful paint and friends of the
    current document, in ms from its navigation start (works with JavaScript
    off too: Playwright evaluates in its own world)."""
    entry = page.evaluate("""() => {
        const n = performance.getEntriesByType("navigation")[0];
        const fcp = performance.getEntriesByName("first-contentful-paint")[0];
        return n && {responseStart: n.responseStart, responseEnd: n.responseEnd,
                     firstContentfulPaint: fcp ? fcp.startTime : -1,
                     domContentLoaded: n.domContentLoadedEventEnd, load: n.loadEventEnd,
                     transferSize: n.transferSize};
    }""")
    return {k: round(v) for k, v in (entry or {}).items()}


def resources(page):
    return page.evaluate("""() => performance.getEntriesByType("resource").map(r => ({
        name: r.name.replace(location.origin, "").split("?")[0], ms: Math.round(r.responseEnd),
        bytes: r.transferSize}))""")


def seconds(start):
    return round(time.monotonic() - start, 2)


# -- the lookup ----------------------------------------------------------------
@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "nojs"])
def test_lookup_on_a_slow_link(new_page, recipient, javascript):
    page = new_page(PHONE, javascript=javascript)
    page.set_default_timeout(SLOW)
    throttle(page)

    # (a) Cold page load until the form can be used: name field visible and
    # enabled, the provinsi select filled, the captcha image there.
    start = time.monotonic()
    page.goto("/", wait_until="commit")
    name = page.get_by_label("Nama sesuai KTP")
    provinsi = page.get_by_label("Provinsi", exact=True)
    name.wait_for(state="visible")
    expect(name).to_be_enabled()
    provinsi.get_by_role("option", name="Jawa Barat").wait_for(state="attached")
    usable = seconds(start)
    expect(provinsi.get_by_role("option")).to_have_count(39)
    page.wait_for_load_state("load")
    captcha = page.get_by_role("img", name=re.compile("^Gambar kode captcha"))
    expect(captcha).to_have_js_property("complete", True)
    expect(captcha).not_to_have_js_property("naturalWidth", 0)
    page_load = navigation_timing(page)
    loaded = resources(page)

    # (b) Submit a lookup (the form opened at the person's desa, as a
    # bookmark does) until the result is on screen.
    desa = recipient.desa_code
    page.goto(f"/?provinsi={desa[:2]}&kabupaten={desa[:5]}&kecamatan={desa[:8]}&desa={desa}")
    page.get_by_label("Nama sesuai KTP").fill(recipient.name)
    page.get_by_label("Ketik kode pada gambar").fill(CAPTCHA)
    page.evaluate("() => { window.__sameDocument = true; }")
    result = page.get_by_role("region", name=re.compile(r"\d+ data ditemukan"))
    start = time.monotonic()
    page.get_by_role("button", name="Cari data", exact=True).click(no_wait_after=True)
    result.wait_for(state="visible")
    to_result = seconds(start)
    expect(result).to_be_visible()
    expect(result).not_to_contain_text(recipient.nik)
    same_document = page.evaluate("() => window.__sameDocument === true")
    assert same_document is javascript  # htmx swapped; without it, a page load

    # Interactive: the fields usable, the form painted (the stylesheet
    # blocks the first paint) and, with JavaScript, htmx attached (deferred
    # scripts run before DOMContentLoaded).
    painted = page_load.get("firstContentfulPaint", 0) / 1000
    enhanced = page_load.get("domContentLoaded", 0) / 1000 if javascript else 0
    figures = {"form_interactive_s": round(max(usable, painted, enhanced), 2), "fields_usable_s": usable,
               "page_timing_ms": page_load, "resources": loaded, "submit_to_result_s": to_result}
    if not javascript:
        page.wait_for_load_state("load")
        figures["result_page_timing_ms"] = navigation_timing(page)
    record("lookup-htmx" if javascript else "lookup-nojs", figures)


# -- the photo upload ----------------------------------------------------------
def photo_of_about_3mb(path):
    """Noise compresses badly, so this JPEG really is ~3 MB on the wire."""
    rng = random.Random(8)
    width, height = 1800, 1350
    while True:
        buffer = io.BytesIO()
        noise = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
        noise.save(buffer, "JPEG", quality=90)
        if buffer.tell() >= 3_000_000:
            path.write_bytes(buffer.getvalue())
            return buffer.tell()
        width, height = int(width * 1.1), int(height * 1.1)


def account_needing_photos(live_server, n):
    """A citizen past the e-mail code, at the photo step; returns the e-mail."""
    from webapp import create_app
    from webapp.akun.models import PHOTOS, Account
    from webapp.akun.services import register_account
    from webapp.db import flask_db

    email = f"lambat{n}@contoh.test"
    app = create_app(live_server.config)
    with app.app_context():
        account = register_account(f"32760617087511{90 + n}", f"32760601011000{90 + n}", "Warga Lambat",
                                   "Jl. Melati 9", "004", "012", "32.76.06.1001", "+6281234567891",
                                   email, PASSWORD)
        Account.update(state=PHOTOS).where(Account.id == account.id).execute()
        flask_db.database.close()
    return email


def sign_in(page, email):
    page.goto("/akun/masuk")
    page.get_by_label("NIK atau e-mail").fill(email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Masuk", exact=True).click()


def chosen_file(page, label):
    return page.get_by_label(label, exact=True).evaluate("input => input.files.length && input.files[0].name")


def test_photo_upload_on_a_slow_link_shows_progress_and_survives_failures(new_page, live_server, tmp_path):
    photo = tmp_path / "ktp-3mb.jpg"
    size = photo_of_about_3mb(photo)
    selfie = tmp_path / "swafoto.png"
    Image.new("RGB", (200, 150), (200, 120, 30)).save(selfie, "PNG")
    email = account_needing_photos(live_server, 1)

    page = new_page(PHONE)
    sign_in(page, email)
    page.goto("/akun/foto")
    expect(page.get_by_role("heading", level=1)).to_have_text("Foto KTP dan swafoto")
    throttle(page)
    page.set_default_timeout(SLOW)

    ktp_form = page.locator("#foto-ktp form")
    progress = ktp_form.get_by_role("progressbar", name="Kemajuan unggahan")
    failed = ktp_form.get_by_role("alert")
    expect(progress).to_be_hidden()
    expect(failed).to_be_hidden()
    button = page.get_by_role("button", name="Unggah foto ktp")
    page.get_by_label("Pilih foto", exact=True).first.set_input_files(str(photo))
    # The other form's field, chosen but not yet sent, must survive too.
    page.locator("#foto-selfie").get_by_label("Pilih foto", exact=True).set_input_files(str(selfie))
    page.evaluate("() => { window.__sameDocument = true; }")

    # First the connection drops, then the server fails (503): each time
    # the message, nothing lost, no page load.
    page.route("**/akun/foto/ktp", lambda route: route.fulfill(status=503, body="gangguan"), times=1)
    page.route("**/akun/foto/ktp", lambda route: route.abort("connectionreset"), times=1)
    for _attempt in ("dropped", "503"):
        button.click()
        expect(failed).to_be_visible()
        expect(failed).to_have_text(FAILED)
        expect(progress).to_be_hidden()
        expect(button).to_be_enabled()
        expect(button).to_be_focused()  # Enter retries
        assert chosen_file(page.locator("#foto-ktp"), "Pilih foto") == photo.name
        assert chosen_file(page.locator("#foto-selfie"), "Pilih foto") == selfie.name
        assert page.evaluate("() => window.__sameDocument === true")

    # The retry goes through, on the slow link, with progress advancing.
    start = time.monotonic()
    button.click()
    expect(failed).to_be_hidden()
    expect(progress).to_be_visible()
    samples = []
    preview = page.get_by_role("img", name="Foto KTP yang Anda unggah")
    while not preview.is_visible():
        assert time.monotonic() - start < UPLOAD_TIMEOUT / 1000, f"upload did not finish: {samples}"
        value = page.evaluate("""() => {
            const p = document.querySelector("#foto-ktp progress");
            return p && !p.hidden && p.hasAttribute("value") ? p.value : null;
        }""")
        if value is not None and (not samples or samples[-1][1] != value):
            samples.append((seconds(start), value))
        time.sleep(0.5)
    uploaded = seconds(start)
    expect(preview).to_be_visible()
    assert page.evaluate("() => window.__sameDocument === true")

    values = [value for _t, value in samples]
    assert values == sorted(values), f"progress went backwards: {samples}"
    assert len([v for v in values if 0 < v < 100]) >= 3, f"progress did not advance: {samples}"
    record("upload", {"photo_bytes": size, "retries": 2, "upload_to_preview_s": uploaded,
                      "progress_samples": samples[:: max(1, len(samples) // 12)] + samples[-1:]})


def test_photo_upload_without_javascript_is_a_plain_form(new_page, live_server, tmp_path):
    email = account_needing_photos(live_server, 2)
    photo = tmp_path / "ktp.jpg"
    Image.new("RGB", (640, 400), (30, 120, 200)).save(photo, "JPEG")
    page = new_page(PHONE, javascript=False)
    sign_in(page, email)
    page.goto("/akun/foto")
    expect(page.locator("#foto-ktp").get_by_role("progressbar")).to_be_hidden()
    page.locator("#foto-ktp").get_by_label("Pilih foto", exact=True).set_input_files(str(photo))
    with page.expect_navigation():
        page.get_by_role("button", name="Unggah foto ktp").click()
    expect(page.get_by_role("img", name="Foto KTP yang Anda unggah")).to_be_visible()
    assert urlsplit(page.url).path == "/akun/foto"


def test_a_stalled_upload_gives_up_and_can_be_retried(new_page, live_server, tmp_path):
    """No byte moving for data-upload-stall seconds (30 by default; 2 here)
    counts as a failure, as a link that silently died would."""
    email = account_needing_photos(live_server, 3)
    photo = tmp_path / "ktp.jpg"
    Image.new("RGB", (640, 400), (30, 120, 200)).save(photo, "JPEG")
    page = new_page(PHONE)
    sign_in(page, email)
    page.goto("/akun/foto")
    form = page.locator("#foto-ktp form")
    form.evaluate("form => form.setAttribute('data-upload-stall', '2')")
    form.get_by_label("Pilih foto", exact=True).set_input_files(str(photo))
    held = []
    page.route("**/akun/foto/ktp", lambda route: held.append(route), times=1)  # never answered
    button = page.get_by_role("button", name="Unggah foto ktp")
    button.click()
    expect(form.get_by_role("alert")).to_have_text(FAILED)
    expect(button).to_be_focused()
    assert held, "the upload was not sent"
    assert chosen_file(form, "Pilih foto") == photo.name
    button.click()
    expect(page.get_by_role("img", name="Foto KTP yang Anda unggah")).to_be_visible()
