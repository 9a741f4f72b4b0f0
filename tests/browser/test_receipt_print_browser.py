"""The proposal receipt prints: on A4 and on an 80 mm kiosk roll the receipt
number, the person and the status stay, menus and buttons go, nothing is
wider than the paper."""

import pytest
from playwright.sync_api import expect

from ..conftest import PASSWORD, synthetic_nik
from ..test_petugas_support import citizen, sent_proposal
from .conftest import ARTIFACTS, PHONE

pytestmark = pytest.mark.browser

# Printable width at 96 px per inch: A4 less 10 mm margins, an 80 mm roll less 3 mm.
PAPER = {"a4": 718, "80mm": 272}


@pytest.fixture(scope="module")
def receipt(live_server):
    from webapp import create_app

    app = create_app(live_server.config)
    account = citizen(app, email="cetak.tanda.terima@contoh.test", nik=synthetic_nik(serial="0811"))
    pid = sent_proposal(app, account, kk="3276060101200811", nik=synthetic_nik(born="170875", serial="0812"))
    return account.email, pid


@pytest.mark.parametrize("paper", sorted(PAPER))
def test_the_receipt_prints_on_a4_and_an_80_mm_roll(new_page, receipt, paper):
    email, pid = receipt
    page = new_page(PHONE)
    page.goto("/akun/masuk")
    page.get_by_label("NIK atau e-mail").fill(email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Masuk", exact=True).click()
    page.goto(f"/usulan/{pid}/tanda-terima")
    heading = page.get_by_role("heading", name="Tanda terima usulan bantuan sosial")
    expect(heading).to_be_visible()
    number = page.get_by_text("USL-", exact=False).first
    expect(number).to_be_visible()

    page.set_viewport_size({"width": PAPER[paper], "height": 900})
    page.emulate_media(media="print")
    expect(heading).to_be_visible()
    expect(number).to_be_visible()
    expect(page.get_by_text("Budi Hartono")).to_be_visible()
    expect(page.get_by_text("Diajukan", exact=True).first).to_be_visible()
    expect(page.get_by_role("navigation", name="Menu utama")).to_be_hidden()
    expect(page.get_by_role("link", name="Lihat status usulan")).to_be_hidden()
    assert page.evaluate(f"document.documentElement.scrollWidth <= {PAPER[paper]}"), "wider than the paper"
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "screenshots" / f"tanda-terima-cetak-{paper}.png"), full_page=True)
