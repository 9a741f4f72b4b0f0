"""Tanggapan Kelayakan and the objection form's location in real Chromium at
360 px: a short search is refused with its message, a three-letter search
lists the own desa's matches, "Tidak layak" is one tap (htmx swaps the row;
without JavaScript the page comes back), and "Gunakan lokasi saya" fills
the coordinates where the browser grants geolocation."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import PHONE
from .journey import Looker, _in_app, active_citizen, heading, photo_file, press, sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_search_respond_and_object_with_location(new_page, live_server, recipient, snap, tmp_path,
                                                 javascript):
    desa = recipient.desa_code
    n = 0 if javascript else 1
    email = active_citizen(live_server, f"{desa.replace('.', '')[:6]}18087518{n:02d}",
                           f"tanggapan{n}@contoh.test", desa)
    look = Looker(snap, PHONE, javascript)
    page = new_page(PHONE, javascript=javascript, geolocation={"latitude": -6.4025, "longitude": 106.8194},
                    permissions=["geolocation"])
    sign_in(page, email)
    page.goto("/sanggahan/penerima")
    heading(page, "Tanggapan Kelayakan")

    page.get_by_label("Cari nama di desa/kelurahan Anda").fill("ab")
    press(page, "Cari")
    expect(page.get_by_role("alert")).to_contain_text("paling sedikit 3 huruf")
    expect(page.get_by_label("Cari nama di desa/kelurahan Anda")).to_have_value("ab")

    first_name = recipient.name.split()[0]
    page.get_by_label("Cari nama di desa/kelurahan Anda").fill(first_name[:3])
    press(page, "Cari")
    heading(page, "Tanggapan Kelayakan")
    items = page.locator("li.recipient")
    expect(items.first).to_be_visible()
    item = items.first
    press(page, re.compile("^Tidak layak"), javascript=javascript, htmx=True, exact=False)
    item = page.locator("li.recipient").first
    expect(item.get_by_role("status")).to_contain_text("Tanggapan Anda: Tidak layak.")
    pressed = item.get_by_role("button", name=re.compile("^Tidak layak"))
    expect(pressed).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_label("Cari nama di desa/kelurahan Anda")).to_have_value(first_name[:3])
    if javascript:
        snap(page, "tanggapan", docs="tanggapan-kelayakan-mobile.png")

    with page.expect_navigation():
        item.get_by_role("link", name=re.compile("^Sanggah dengan bukti")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sanggah penerima")
    page.get_by_label("Sudah mampu", exact=True).check()
    if javascript:
        page.get_by_role("button", name="Gunakan lokasi saya").click()
        expect(page.get_by_role("status").filter(has_text="Lokasi terisi")).to_be_visible()
        expect(page.get_by_label("Garis lintang")).to_have_value("-6.402500")
        expect(page.get_by_label("Garis bujur")).to_have_value("106.819400")
        page.get_by_label("Keterangan lokasi").fill("RT 03/RW 05, rumah cat hijau di sebelah masjid")
        snap(page, "sanggahan-lokasi", docs="sanggahan-lokasi-mobile.png")
        look(page, "form-lokasi")
    else:
        expect(page.get_by_role("button", name="Gunakan lokasi saya")).to_be_hidden()
        page.get_by_label("Garis lintang").fill("-6.4025")
        page.get_by_label("Garis bujur").fill("106.8194")
    page.get_by_label("Saya menyatakan keterangan ini benar dan dapat dipertanggungjawabkan.").check()
    press(page, "Kirim sanggahan")
    expect(page.get_by_role("alert")).to_contain_text("Lampirkan foto rumah penerima")
    expect(page.get_by_label("Garis lintang")).not_to_have_value("")
    expect(page.get_by_label("Keterangan lokasi")).to_have_value(
        "RT 03/RW 05, rumah cat hijau di sebelah masjid" if javascript else "")
    page.get_by_label("Foto rumah penerima").set_input_files(photo_file(tmp_path))
    page.get_by_label("Saya menyatakan keterangan ini benar dan dapat dipertanggungjawabkan.").check()
    press(page, "Kirim sanggahan")
    heading(page, "Sanggahan")
    expect(page.get_by_text(re.compile(r"Lokasi: -6\.40250\d, 106\.81940\d"))).to_be_visible()
    expect(page.get_by_text("Dianggap diterima bila belum ditindaklanjuti")).to_be_visible()
    look.check()
    _in_app(live_server, lambda _app: forget_objections(email))


def forget_objections(email):
    """The sanggahan journey finds its officer's queue by reason: this
    run's "Sudah mampu" objection must not stand in its way."""
    from webapp.akun.models import Account
    from webapp.sanggahan.models import Objection

    account = Account.get(Account.email == email)
    Objection.delete().where(Objection.account_id == account.id).execute()
