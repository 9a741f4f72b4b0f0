"""The whole registration journey in real Chromium: the form (checked
inline with JavaScript, by the whole form's error summary without it), the
e-mailed code (read from the outbox), both photos, sending for
verification, the profile, signing out; a Dinas Sosial officer approves the
account and the citizen finds it active. At 360 px and 1280 px, with
JavaScript and without; axe-core on every page (with JavaScript)."""

import re

import pytest
from playwright.sync_api import expect

from webapp.identity import mask_nik

from ..smtp import Outbox
from .journey import (
    EVERY_WAY,
    PASSWORD,
    Looker,
    Officer,
    choose_region,
    heading,
    photo_file,
    press,
    sign_in,
    way_number,
)

pytestmark = pytest.mark.browser


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@EVERY_WAY
def test_registration_journey(new_page, live_server, recipient, tmp_path, snap, layout, javascript):
    n = way_number(layout, javascript)
    look = Looker(snap, layout, javascript)
    photo = photo_file(tmp_path, "foto.jpg", size=(800, 500))
    kecamatan = recipient.desa_code[:8].replace(".", "")
    nik = f"{kecamatan}150890055{n}"
    email = f"pendaftar{n}.peramban@example.com"
    outbox = Outbox(live_server.config)
    page = new_page(layout, javascript=javascript)

    page.goto("/")
    press(page, "Daftar", role="link")
    heading(page, "Daftar akun Cek Bansos")
    no_sideways_scroll(page)
    look(page, "form")

    nik_field = page.get_by_label("NIK", exact=True)
    nik_field.fill("12345")
    if javascript:
        # The inline check answers with the same message the whole form would give.
        page.get_by_label("Nomor KK", exact=True).focus()
        expect(page.get_by_text("NIK harus 16 digit")).to_be_visible()
        nik_field.fill(nik)
        page.get_by_label("Nomor KK", exact=True).focus()
        expect(page.get_by_text("NIK harus 16 digit")).to_have_count(0)

    page.get_by_label("Nomor KK", exact=True).fill(f"{kecamatan}010120055{n}")
    page.get_by_label("Nama sesuai KTP").fill("Rina Wulandari")
    page.get_by_label("Alamat (jalan, nomor rumah)").fill("Jl. Kenanga No. 7")
    page.get_by_label("RT", exact=True).fill("3")
    page.get_by_label("RW", exact=True).fill("9")
    choose_region(page, recipient.region_names, javascript)
    page.get_by_label("Nomor HP").fill("0812 3456 7890")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_label("Saya setuju data saya diproses untuk tujuan di atas").check()
    if javascript:
        expect(page.get_by_text("Terbaca sebagai +6281234567890", exact=False)).to_be_visible()
    else:
        # Without JavaScript the whole form answers: summary, title, everything typed kept.
        press(page, "Daftar")
        summary = page.get_by_role("alert")
        expect(summary).to_contain_text("NIK harus 16 digit")
        expect(page).to_have_title(re.compile("^Kesalahan: "))
        expect(page.get_by_label("Nama sesuai KTP")).to_have_value("Rina Wulandari")
        expect(page.get_by_label("Desa/Kelurahan", exact=True)).to_have_value(recipient.desa_code)
        expect(page.get_by_text("Terbaca sebagai +6281234567890", exact=False)).to_be_visible()
        look(page, "form-error")
        nik_field.fill(nik)
        page.get_by_label("Kata sandi").fill(PASSWORD)
        consent = page.get_by_label("Saya setuju data saya diproses untuk tujuan di atas")
        if not consent.is_checked():
            consent.check()
    look(page, "form-filled")
    press(page, "Daftar")

    heading(page, "Konfirmasi alamat e-mail")
    look(page, "verifikasi")
    message = next(m for m in reversed(outbox.messages) if m["To"] == email)
    code = re.search(r"^(\d{6})$", message.get_content(), re.MULTILINE).group(1)
    page.get_by_label("Kode 6 angka").fill(code)
    press(page, "Konfirmasi")

    heading(page, "Foto KTP dan swafoto")
    look(page, "foto")
    for region, button, preview in (
            ("Foto KTP", re.compile("^Unggah foto KTP$", re.I), "Foto KTP yang Anda unggah"),
            ("Swafoto sambil memegang KTP", re.compile("^Unggah swafoto sambil memegang KTP$", re.I),
             "Swafoto sambil memegang KTP yang Anda unggah")):
        section = page.get_by_role("region", name=region, exact=True)
        section.get_by_label("Pilih foto").set_input_files(photo)
        press(page, button, javascript, htmx=True)
        expect(page.get_by_role("img", name=preview)).to_be_visible()
    no_sideways_scroll(page)
    look(page, "foto-terunggah")
    press(page, "Kirim untuk diverifikasi")

    heading(page, "Akun saya")
    expect(page.get_by_role("heading", name="Status akun: menunggu verifikasi petugas")).to_be_visible()
    assert nik not in page.content()
    no_sideways_scroll(page)
    look(page, "profil")

    press(page, "Keluar")
    expect(page.get_by_role("status")).to_have_text("Anda sudah keluar.")
    page.goto("/akun")
    heading(page, "Masuk ke akun")
    look(page, "masuk")

    # A Dinas Sosial officer checks the photos and approves the account.
    officer = Officer(live_server, f"verifikasi{n}@contoh.test", "dinsos_verifikator",
                      recipient.desa_code[:5])
    desk = new_page(layout, javascript=javascript)
    officer.sign_in(desk)
    menu = desk.get_by_role("navigation", name="Menu petugas")
    with desk.expect_navigation():
        menu.get_by_role("link", name="Verifikasi akun").click()
    heading(desk, "Akun menunggu verifikasi")
    look(desk, "petugas-akun-antrean")
    press(desk, mask_nik(nik), role="link")
    heading(desk, "Verifikasi akun")
    expect(desk.get_by_role("link", name="Foto KTP")).to_be_visible()
    look(desk, "petugas-akun-detail")
    desk.get_by_label("Setujui").check()
    press(desk, "Simpan putusan")
    expect(desk.get_by_role("status")).to_have_text(
        "Putusan tersimpan; warga diberi tahu di halaman akunnya, dan lewat e-mail atau SMS bila ada.")
    expect(desk.get_by_role("link", name=mask_nik(nik))).to_have_count(0)

    sign_in(page, email)
    expect(page.get_by_role("heading", name="Status akun: aktif")).to_be_visible()
    look(page, "profil-aktif")
    look.check()
