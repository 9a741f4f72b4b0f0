"""Kiosk mode in real Chromium, on its own gunicorn with a short idle limit
(25 s, warning 21 s: the dialog comes about 4 s after the last activity): the
accessible warning, "Lanjutkan", running out, "Selesai" and Back, and 44 px
touch targets at 360 px."""

import re

import pytest
from playwright.sync_api import expect

from ..conftest import CAPTCHA, PASSWORD
from .conftest import ARTIFACTS, PHONE, start_server
from .test_a11y_browser import serious_violations

pytestmark = pytest.mark.browser

IDLE, WARNING = 25, 21
NAME = "Kartika Sekar Ayu"
EMAIL = "kios.warga@example.com"


@pytest.fixture(scope="module")
def kiosk_server(template_instance, tmp_path_factory):
    with start_server(template_instance, tmp_path_factory, KIOSK_MODE=True,
                      KIOSK_IDLE_SECONDS=IDLE, KIOSK_WARNING_SECONDS=WARNING) as server:
        yield server


@pytest.fixture(scope="module")
def kiosk_citizen(kiosk_server):
    """An active citizen account in the kiosk server's database."""
    from webapp import create_app
    from webapp.akun.models import ACTIVE, Account
    from webapp.db import flask_db

    from ..conftest import new_account, synthetic_nik

    app = create_app(kiosk_server.config)
    with app.app_context():
        account = new_account(ACTIVE, nik=synthetic_nik(serial="0707"), email=EMAIL)
        Account.update(name=NAME).where(Account.id == account.id).execute()
        flask_db.database.close()
    return EMAIL


@pytest.fixture
def kiosk_page(new_page, kiosk_server):
    def open_page(layout=PHONE, javascript=True):
        return new_page(layout, javascript=javascript, server=kiosk_server)
    return open_page


def sign_in(page, email):
    page.goto("/akun/masuk")
    page.get_by_label("NIK atau e-mail").fill(email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Akun saya")
    expect(page.get_by_text(NAME)).to_be_visible()


def test_the_warning_is_announced_focused_and_lanjutkan_keeps_the_session(kiosk_page, kiosk_citizen, snap):
    page = kiosk_page()
    sign_in(page, kiosk_citizen)
    dialog = page.get_by_role("alertdialog", name="Masih di sini?")
    expect(dialog).to_be_visible(timeout=15_000)
    expect(dialog).to_have_accessible_description(
        re.compile(r"^Sesi akan berakhir dalam \d+ detik karena tidak ada aktivitas\.$"))
    button = dialog.get_by_role("button", name="Lanjutkan")
    expect(button).to_be_focused()
    # The countdown runs.
    first = int(re.search(r"\d+", dialog.inner_text()).group())
    expect(dialog).not_to_contain_text(f"dalam {first} detik", timeout=3_000)
    snap(page, "warning")
    assert not serious_violations(page)

    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Akun saya")
    expect(page.get_by_text(NAME)).to_be_visible()
    assert not serious_violations(page)


def test_running_out_ends_the_session_on_the_server(kiosk_page, kiosk_citizen):
    page = kiosk_page()
    sign_in(page, kiosk_citizen)
    expect(page.get_by_role("alertdialog")).to_be_visible(timeout=15_000)
    # Nobody answers: the page submits "Selesai" and starts over.
    expect(page.get_by_role("heading", level=1)).to_have_text("Cek Penerima Bantuan Sosial",
                                                              timeout=IDLE * 1000)
    expect(page.get_by_role("link", name="Masuk", exact=True)).to_be_visible()
    page.goto("/akun")
    expect(page.get_by_role("heading", level=1)).to_have_text("Masuk ke akun")


def test_back_after_selesai_shows_nothing_personal(kiosk_page, kiosk_citizen, recipient):
    page = kiosk_page()
    page.goto("/?mode=nik")
    page.get_by_label("NIK", exact=True).fill(recipient.nik)
    page.get_by_label("Ketik kode pada gambar").fill(CAPTCHA)
    page.get_by_role("button", name="Cari data").click()
    expect(page.get_by_role("heading", name=re.compile(r"\d+ data ditemukan"))).to_be_visible()
    page.get_by_role("button", name="Selesai").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cek Penerima Bantuan Sosial")
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cek Penerima Bantuan Sosial")
    expect(page.get_by_text(re.compile("data ditemukan"))).to_have_count(0)
    expect(page.get_by_label("NIK", exact=True)).to_have_value("")

    sign_in(page, kiosk_citizen)
    page.get_by_role("button", name="Selesai").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cek Penerima Bantuan Sosial")
    page.go_back()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Akun saya")
    assert NAME not in page.content() and EMAIL not in page.content()


def test_a_result_prints_on_an_80_mm_roll(kiosk_page, recipient, snap):
    page = kiosk_page()
    page.goto("/?mode=nik")
    page.get_by_label("NIK", exact=True).fill(recipient.nik)
    page.get_by_label("Ketik kode pada gambar").fill(CAPTCHA)
    page.get_by_role("button", name="Cari data").click()
    result = page.get_by_role("region", name=re.compile(r"\d+ data ditemukan"))
    expect(result).to_be_visible()
    # 72 mm printable at 96 dpi is about 272 px.
    page.set_viewport_size({"width": 272, "height": 800})
    page.emulate_media(media="print")
    for form in page.locator("form").all():
        expect(form).to_be_hidden()
    expect(page.get_by_role("navigation", name="Menu utama")).to_be_hidden()
    expect(result).to_be_visible()
    expect(result.locator(".programs thead")).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth <= 272"), "wider than the roll"
    page.screenshot(path=str(ARTIFACTS / "screenshots" / "kiosk-print-80mm.png"), full_page=True)


TARGETS = """() => Array.from(document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary'))
  .filter(el => el.offsetParent !== null && !el.closest('.vh, [hidden], dialog'))
  .map(el => {
    // A checkbox or radio is reached through its whole row (label included).
    const box = (el.closest('.choice, .checkbox') || el).getBoundingClientRect();
    return {what: el.outerHTML.slice(0, 90), width: box.width, height: box.height, right: box.right};
  })
  .filter(t => t.right > 0)  // the skip link, off screen until focused"""


@pytest.mark.parametrize("path", ["/", "/?mode=nik", "/akun/daftar", "/akun/masuk"])
def test_touch_targets_are_at_least_44_px(kiosk_page, path):
    page = kiosk_page(PHONE)
    page.goto(path)
    assert not serious_violations(page)
    targets = page.evaluate(TARGETS)
    assert len(targets) > 5
    small = [t for t in targets if t["height"] < 44 or t["width"] < 44]
    assert not small, small
