"""The whole journey without e-mail in real Chromium at 360 px with
JavaScript off (issue #16): register without e-mail, both photos, the
operator of the citizen's desa verifies, the citizen signs in by NIK,
proposes and gets the receipt. The registration without e-mail is the
screenshot docs/screenshots/daftar-tanpa-email-360.png (UPDATE_DOCS_SCREENSHOTS=1)."""

import os
import re

import pytest
from playwright.sync_api import expect

from webapp.identity import mask_nik

from .conftest import DOCS_SCREENSHOTS
from .journey import PASSWORD, Officer, choose_region, heading, photo_file, press

pytestmark = pytest.mark.browser


def test_journey_without_email_at_360px_without_javascript(new_page, live_server, recipient, tmp_path):
    from .conftest import PHONE

    photo = photo_file(tmp_path, "foto.jpg", size=(800, 500))
    kecamatan = recipient.desa_code[:8].replace(".", "")
    nik = f"{kecamatan}1508900777"
    page = new_page(PHONE, javascript=False)

    page.goto("/akun/daftar")
    heading(page, "Daftar akun Cek Bansos")
    page.get_by_label("NIK", exact=True).fill(nik)
    page.get_by_label("Nomor KK", exact=True).fill(f"{kecamatan}0101200777")
    page.get_by_label("Nama sesuai KTP").fill("Sari Lestari")
    page.get_by_label("Alamat (jalan, nomor rumah)").fill("Jl. Mawar No. 2")
    page.get_by_label("RT", exact=True).fill("1")
    page.get_by_label("RW", exact=True).fill("2")
    choose_region(page, recipient.region_names, javascript=False)
    page.get_by_label("Nomor HP").fill("0813 1111 2222")
    expect(page.get_by_label("E-mail (boleh dikosongkan)")).to_have_value("")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_label("Saya setuju data saya diproses untuk tujuan di atas").check()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    if os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=DOCS_SCREENSHOTS / "daftar-tanpa-email-360.png", full_page=True, caret="initial")
    press(page, "Daftar")

    # No e-mail and no SMS gateway on this server: straight to the photos.
    heading(page, "Foto KTP dan swafoto")
    for region, button in (("Foto KTP", "^Unggah foto KTP$"),
                           ("Swafoto sambil memegang KTP", "^Unggah swafoto sambil memegang KTP$")):
        section = page.get_by_role("region", name=region, exact=True)
        section.get_by_label("Pilih foto").set_input_files(photo)
        press(page, re.compile(button, re.I), javascript=False)
    press(page, "Kirim untuk diverifikasi")
    expect(page.get_by_role("heading", name="Status akun: menunggu verifikasi petugas")).to_be_visible()
    press(page, "Keluar")

    # The operator of the citizen's own desa verifies.
    operator = Officer(live_server, "operator.tanpa.email@contoh.test", "operator_desa", recipient.desa_code)
    desk = new_page(PHONE, javascript=False)
    operator.sign_in(desk)
    with desk.expect_navigation():
        menu = desk.get_by_role("navigation", name="Menu petugas")
        menu.get_by_role("link", name="Verifikasi akun").click()
    press(desk, mask_nik(nik), role="link")
    heading(desk, "Verifikasi akun")
    desk.get_by_label("Setujui").check()
    press(desk, "Simpan putusan")
    expect(desk.get_by_role("link", name=mask_nik(nik))).to_have_count(0)

    # Sign in by NIK; the approval waits on the profile.
    page.goto("/akun/masuk")
    page.get_by_label("NIK atau e-mail").fill(nik)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    press(page, "Masuk")
    expect(page.get_by_role("heading", name="Status akun: aktif")).to_be_visible()
    expect(page.get_by_role("region", name="Kabar untuk Anda")).to_contain_text("sekarang aktif")

    # Propose, through every step, and get the receipt.
    page.get_by_role("navigation", name="Menu utama").get_by_role("link", name="Usulan").click()
    page.get_by_label("No. KK").fill(f"{kecamatan}0101200778")
    page.get_by_label("NIK orang yang diusulkan").fill(f"{kecamatan}1708750778")
    press(page, "Cek Usulan")
    heading(page, "Data diri sesuai KTP")
    page.get_by_label("Nama lengkap sesuai KTP").fill("Sari Lestari")
    page.get_by_label("Tempat lahir").fill("Depok")
    page.get_by_label("Laki-laki").check()
    page.get_by_label("Pekerjaan").fill("Buruh harian lepas")
    press(page, "Simpan dan lanjutkan")
    press(page, "Semua anggota sudah ditulis, lanjutkan")
    choose_region(page, recipient.region_names, javascript=False)
    page.get_by_label("Jalan, nomor rumah, dusun").fill("Jl. Mawar No. 2")
    page.get_by_label("RT", exact=True).fill("1")
    page.get_by_label("RW", exact=True).fill("2")
    press(page, "Simpan dan lanjutkan")
    page.get_by_label("Alasan diusulkan").fill("Tidak ada penghasilan tetap.")
    press(page, "Simpan dan lanjutkan")
    page.get_by_label(re.compile(r"^PKH:")).check()
    press(page, "Simpan dan lanjutkan")
    heading(page, "Dokumen")
    for name in ("Foto e-KTP", "Foto Kartu Keluarga (KK)", "Surat Keterangan Tidak Mampu (SKTM)"):
        page.get_by_label(f"Pilih foto {name}").set_input_files(photo)
        press(page, f"Unggah {name}", javascript=False)
    press(page, "Lanjutkan ke pemeriksaan", role="link")
    press(page, "Kirim")
    heading(page, "Tanda terima usulan bantuan sosial")
    expect(page.get_by_text(re.compile(r"^USL-[A-Z0-9]{4}-[A-Z0-9]{4}$"))).to_be_visible()
