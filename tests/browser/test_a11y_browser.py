"""Accessibility in real Chromium: axe-core on every main page reachable
without special setup, and on error pages, at 360 px and 1280 px (any
serious or critical violation fails), a keyboard-only lookup, and a visible
focus indicator. The pages behind an account or an officer's sign-in are
checked on the way by the journey tests (journey.Looker)."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from ..conftest import CAPTCHA
from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

LAYOUTS = pytest.mark.parametrize("layout", [PHONE, DESKTOP], ids=["360px", "1280px"])
axe = Axe()


def serious_violations(page):
    results = axe.run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in ("serious", "critical"):
            for node in violation["nodes"]:
                found.append(f"{violation['impact']} {violation['id']}: {violation['help']} "
                             f"at {node['target']}: {node['html'][:160]}")
    print("\n".join(found) or "no serious or critical violation")
    return found


def lookup(page, recipient, name):
    desa = recipient.desa_code
    page.goto(f"/?provinsi={desa[:2]}&kabupaten={desa[:5]}&kecamatan={desa[:8]}&desa={desa}")
    page.get_by_label("Nama sesuai KTP").fill(name)
    page.get_by_label("Ketik kode pada gambar").fill(CAPTCHA)
    page.get_by_role("button", name="Cari data").click()


def found(page, recipient):
    lookup(page, recipient, recipient.name)
    expect(page.get_by_role("heading", name=re.compile(r"\d+ data ditemukan"))).to_be_visible()


def not_found(page, recipient):
    lookup(page, recipient, "Nama Rekaan Sekali")
    expect(page.get_by_role("heading", name="Tidak Terdapat Peserta/PM")).to_be_visible()


def lookup_error(page, recipient):
    page.goto("/")
    page.get_by_label("Nama sesuai KTP").fill("x")
    page.get_by_role("button", name="Cari data").click()
    expect(page.get_by_role("alert")).to_contain_text("Ada yang perlu diperbaiki")


def missing(page, _recipient):
    page.goto("/tidak-ada-halaman-ini")
    expect(page.get_by_role("heading", level=1)).to_have_text("Halaman tidak ditemukan")


def wrong_method(page, _recipient):
    page.goto("/akun/keluar")  # a POST-only address opened by hand
    expect(page.get_by_role("heading", level=1)).to_have_text("Cara membuka halaman tidak didukung")


def expired_form(page, _recipient):
    """A form whose CSRF token has gone (as after a long pause): 400."""
    page.goto("/akun/masuk")
    page.evaluate("() => document.querySelectorAll('input[name=csrf_token]').forEach(i => i.value = 'x')")
    page.get_by_label("NIK atau e-mail").fill("warga@example.com")
    page.get_by_label("Kata sandi").fill("kuda lari di sawah hijau")
    with page.expect_navigation():
        page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Permintaan tidak dapat diproses")


PAGES = {
    "lookup": "/",
    "lookup-nik": "/?mode=nik",
    "found": found,
    "not-found": not_found,
    "lookup-error": lookup_error,
    "daftar": "/akun/daftar",
    "masuk": "/akun/masuk",
    "lupa": "/akun/lupa-sandi",
    "usulan-status": "/usulan/status",
    "404": missing,
    "405": wrong_method,
    "400": expired_form,
}


@LAYOUTS
@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_axe_violation(new_page, recipient, layout, name):
    # axe-core is injected with page.evaluate; the page's CSP is left on.
    page = new_page(layout)
    step = PAGES[name]
    if callable(step):
        step(page, recipient)
    else:
        page.goto(step)
    assert not serious_violations(page)


def focus_is_visible(page):
    """The focused element draws an outline or a box shadow."""
    style = page.evaluate("""() => {
        const el = document.activeElement, s = getComputedStyle(el);
        return {tag: el.tagName, outline: s.outlineStyle, width: s.outlineWidth, shadow: s.boxShadow};
    }""")
    visible = (style["outline"] != "none" and style["width"] not in ("0px", "")) or style["shadow"] != "none"
    assert visible, style
    return style["tag"]


def tab_to(page, locator, limit=40, backwards=False):
    """Presses Tab (or Shift+Tab) until `locator` has the focus, checking on
    the way that every stop shows where the focus is."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        focus_is_visible(page)
        if locator.evaluate("el => el === document.activeElement"):
            return
    pytest.fail(f"Tab never reached {locator}")


def choose_with_keys(page, select, name):
    """Picks an option of a focused select with the arrow keys only (the
    change event fires on each step, as in Chromium)."""
    names = select.evaluate("el => Array.from(el.options).map(o => o.text)")
    target = names.index(name)
    for _ in range(200):
        current = select.evaluate("el => el.selectedIndex")
        if current == target:
            return
        page.keyboard.press("ArrowDown" if current < target else "ArrowUp")
    pytest.fail(f"could not reach {name}")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_keyboard_only_lookup_reaches_a_result(new_page, recipient, javascript):
    page = new_page(DESKTOP, javascript=javascript)
    page.goto("/")
    # The skip link is the first stop and jumps to the content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Langsung ke isi")).to_be_focused()
    focus_is_visible(page)
    page.keyboard.press("Enter")

    labels = ("Provinsi", "Kabupaten/Kota", "Kecamatan", "Desa/Kelurahan")
    for depth, (label, name) in enumerate(zip(labels, recipient.region_names, strict=True)):
        select = page.get_by_label(label, exact=True)
        tab_to(page, select)
        expect(select.get_by_role("option", name=name, exact=True)).to_have_count(1)
        choose_with_keys(page, select, name)
        if not javascript and depth < 3:
            # Without JavaScript the "Pilih" button fills the next level.
            tab_to(page, page.get_by_role("button", name="Pilih"))
            with page.expect_navigation():
                page.keyboard.press("Space")
            lower = page.get_by_label(labels[depth + 1], exact=True)
            expect(lower.get_by_role("option")).not_to_have_count(1)
        expect(select).to_have_value(recipient.desa_code[:(2, 5, 8, 13)[depth]])

    # Shift+Tab back to the Desa select proves the order runs both ways.
    name_field = page.get_by_label("Nama sesuai KTP")
    tab_to(page, name_field)
    tab_to(page, page.get_by_label("Desa/Kelurahan", exact=True), backwards=True)
    tab_to(page, name_field)
    page.keyboard.type(recipient.name)
    tab_to(page, page.get_by_label("Ketik kode pada gambar"))
    page.keyboard.type(CAPTCHA)
    tab_to(page, page.get_by_role("button", name="Cari data"))
    if javascript:
        page.keyboard.press("Enter")
    else:
        with page.expect_navigation():
            page.keyboard.press("Enter")
    heading = page.get_by_role("heading", name=re.compile(r"\d+ data ditemukan"))
    expect(heading).to_be_visible()
    if javascript:
        expect(heading).to_be_focused()


FOCUSABLE = {
    "link": lambda page: page.get_by_role("link", name="Cek Bansos Lite"),
    "field": lambda page: page.get_by_label("Nama sesuai KTP"),
    "select": lambda page: page.get_by_label("Provinsi", exact=True),
    "button": lambda page: page.get_by_role("button", name="Cari data"),
}


@pytest.mark.parametrize("what", list(FOCUSABLE))
def test_focus_is_visible_on_links_fields_and_buttons(new_page, what):
    page = new_page(PHONE)
    page.goto("/")
    FOCUSABLE[what](page).focus()
    focus_is_visible(page)
