"""Enter in a text field sends the form's main action, with JavaScript on and
off. The forms hold other submit buttons before the main one (the no-JS
"Pilih" of the region picker, "Ganti kode" of the captcha); implicit
submission must not pick those and silently re-render the form."""

import pytest
from playwright.sync_api import expect

from webapp.identity import mask_name

from ..conftest import CAPTCHA
from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

BOTH_WAYS = pytest.mark.parametrize("layout, javascript", [(PHONE, True), (DESKTOP, False)],
                                    ids=["phone-js", "desktop-nojs"])


def press_enter(page, locator, javascript):
    """Enter in `locator`; without JavaScript, waits for the page it loads."""
    if javascript:
        locator.press("Enter")
    else:
        with page.expect_navigation():
            locator.press("Enter")


def expect_found(page, person):
    expect(page.get_by_role("heading", name=mask_name(person.name), exact=True)).to_be_visible()


@BOTH_WAYS
def test_enter_in_the_captcha_field_searches_by_name(new_page, recipient, layout, javascript):
    page = new_page(layout, javascript=javascript)
    desa = recipient.desa_code
    page.goto(f"/?provinsi={desa[:2]}&kabupaten={desa[:5]}&kecamatan={desa[:8]}&desa={desa}")
    page.get_by_label("Nama sesuai KTP").fill(recipient.name)
    captcha = page.get_by_label("Ketik kode pada gambar")
    captcha.fill(CAPTCHA)
    press_enter(page, captcha, javascript)
    expect_found(page, recipient)


@BOTH_WAYS
def test_enter_in_the_name_field_searches(new_page, recipient, layout, javascript):
    page = new_page(layout, javascript=javascript)
    desa = recipient.desa_code
    page.goto(f"/?provinsi={desa[:2]}&kabupaten={desa[:5]}&kecamatan={desa[:8]}&desa={desa}")
    page.get_by_label("Ketik kode pada gambar").fill(CAPTCHA)
    name = page.get_by_label("Nama sesuai KTP")
    name.fill(recipient.name)
    press_enter(page, name, javascript)
    expect_found(page, recipient)


@BOTH_WAYS
def test_enter_in_nik_mode_searches(new_page, recipient, layout, javascript):
    page = new_page(layout, javascript=javascript)
    page.goto("/?mode=nik")
    page.get_by_label("NIK", exact=True).fill(recipient.nik)
    captcha = page.get_by_label("Ketik kode pada gambar")
    captcha.fill(CAPTCHA)
    press_enter(page, captcha, javascript)
    expect_found(page, recipient)


@BOTH_WAYS
def test_enter_in_the_registration_form_validates_it(new_page, layout, javascript):
    """An incomplete registration sent with Enter shows what to fix."""
    page = new_page(layout, javascript=javascript)
    page.goto("/akun/daftar")
    name = page.get_by_label("Nama sesuai KTP")
    name.fill("Rina Wulandari")
    press_enter(page, name, javascript)
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Ada yang perlu diperbaiki")
    expect(summary).to_contain_text("NIK")


@BOTH_WAYS
def test_enter_in_the_public_status_form_checks_it(new_page, layout, javascript):
    page = new_page(layout, javascript=javascript)
    page.goto("/usulan/status")
    page.get_by_label("Nomor tanda terima").fill("USL-AAAA-BBBB")
    page.get_by_label("Tanggal lahir").fill("17-08-1975")
    captcha = page.get_by_label("Ketik kode pada gambar")
    captcha.fill(CAPTCHA)
    press_enter(page, captcha, javascript)
    expect(page.get_by_role("heading", name="Usulan tidak ditemukan")).to_be_visible()
