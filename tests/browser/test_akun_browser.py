"""The whole registration journey in real Chromium on a 360 px phone: form
with inline checks, the e-mailed code (read from the outbox), both photos,
sending for verification, signing out."""

import io
import os
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from ..smtp import Outbox
from .conftest import PHONE

pytestmark = pytest.mark.browser
PASSWORD = "kuda lari di sawah hijau"


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_registration_journey_on_a_phone(new_page, live_server, recipient, tmp_path, snap):
    photo = tmp_path / "foto.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (800, 500), (30, 120, 200)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())
    kecamatan = recipient.desa_code[:8].replace(".", "")
    nik = f"{kecamatan}1508900555"
    email = "pendaftar.peramban@example.com"
    outbox = Outbox(os.path.join(live_server.config["INSTANCE_PATH"], "outbox"))
    page = new_page(PHONE)

    page.goto("/")
    page.get_by_role("link", name="Daftar", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Daftar akun Cek Bansos")
    no_sideways_scroll(page)

    # The inline check answers with the same message the whole form would give.
    page.get_by_label("NIK", exact=True).fill("12345")
    page.get_by_label("Nomor KK", exact=True).focus()
    expect(page.locator("#nik-error")).to_contain_text("NIK harus 16 digit")
    page.get_by_label("NIK", exact=True).fill(nik)
    page.get_by_label("Nomor KK", exact=True).focus()
    expect(page.locator("#nik-error")).to_have_count(0)

    page.get_by_label("Nomor KK", exact=True).fill(f"{kecamatan}0101200555")
    page.get_by_label("Nama sesuai KTP").fill("Rina Wulandari")
    page.get_by_label("Alamat (jalan, nomor rumah)").fill("Jl. Kenanga No. 7")
    page.get_by_label("RT", exact=True).fill("3")
    page.get_by_label("RW", exact=True).fill("9")
    for label, name in zip(("Provinsi", "Kabupaten/Kota", "Kecamatan", "Desa/Kelurahan"),
                           recipient.region_names, strict=True):
        select = page.get_by_label(label, exact=True)
        expect(select.get_by_role("option", name=name, exact=True)).to_have_count(1)
        select.select_option(label=name)
    page.get_by_label("Nomor HP").fill("0812 3456 7890")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_label("Saya setuju data saya diproses untuk tujuan di atas").check()
    expect(page.locator("#hp-hint")).to_contain_text("+6281234567890")
    snap(page, "form")
    page.get_by_role("button", name="Daftar dan kirim kode").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Konfirmasi alamat e-mail")
    message = next(m for m in reversed(outbox.messages) if m["To"] == email)
    code = re.search(r"^(\d{6})$", message.get_content(), re.MULTILINE).group(1)
    page.get_by_label("Kode 6 angka").fill(code)
    page.get_by_role("button", name="Konfirmasi", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Foto KTP dan swafoto")
    page.locator("#berkas-ktp").set_input_files(str(photo))
    page.get_by_role("button", name="Unggah foto ktp").click()
    expect(page.get_by_role("img", name="Foto KTP yang Anda unggah")).to_be_visible()
    page.locator("#berkas-selfie").set_input_files(str(photo))
    page.get_by_role("button", name="Unggah swafoto sambil memegang ktp").click()
    expect(page.get_by_role("img", name="Swafoto sambil memegang KTP yang Anda unggah")).to_be_visible()
    no_sideways_scroll(page)
    snap(page, "photos")
    page.get_by_role("button", name="Kirim untuk diverifikasi").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Akun saya")
    expect(page.locator(".state .badge")).to_have_text("menunggu verifikasi petugas")
    assert nik not in page.content()
    no_sideways_scroll(page)

    page.get_by_role("button", name="Keluar").click()
    expect(page.get_by_role("status")).to_have_text("Anda sudah keluar.")
    page.goto("/akun")
    expect(page.get_by_role("heading", level=1)).to_have_text("Masuk ke akun")
