"""The whole proposal journey in real Chromium: sign in, Cek Usulan, every
step, documents, Periksa kembali, Kirim, the receipt and the public status
check. Once on a phone with JavaScript, once on a desktop without it."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from ..conftest import CAPTCHA
from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser
PASSWORD = "kuda lari di sawah hijau"
BOTH_WAYS = pytest.mark.parametrize("layout, javascript, n", [(PHONE, True, 1), (DESKTOP, False, 2)],
                                    ids=["phone-js", "desktop-nojs"])


def active_account(live_server, n):
    """An active synthetic citizen in the served database; returns the e-mail."""
    from webapp import create_app
    from webapp.akun.models import ACTIVE, Account
    from webapp.akun.services import register_account
    from webapp.db import flask_db

    app = create_app(live_server.config)
    with app.app_context():
        account = register_account(f"32760617087511{n:02d}", "3276060101100011", f"Warga Uji {n}",
                                   "Jl. Melati 5", "004", "012", "32.76.06.1001", "+6281234567890",
                                   f"peramban{n}@contoh.test", PASSWORD)
        Account.update(state=ACTIVE).where(Account.id == account.id).execute()
        flask_db.database.close()
    return f"peramban{n}@contoh.test"


def press(page, name, javascript, role="button"):
    target = page.get_by_role(role, name=name, exact=True)
    if javascript:
        target.click()
        page.wait_for_load_state()
    else:
        with page.expect_navigation():
            target.click()


def choose_region(page, names, javascript):
    """The four selects: htmx fills the next level with JavaScript; without
    it, "Pilih" brings the page back with the next level."""
    for label, name in zip(("Provinsi", "Kabupaten/Kota", "Kecamatan", "Desa/Kelurahan"), names, strict=True):
        select = page.get_by_label(label, exact=True)
        expect(select.get_by_role("option", name=name, exact=True)).to_have_count(1)
        select.select_option(label=name)
        if not javascript and label != "Desa/Kelurahan":
            press(page, "Pilih", javascript)


@BOTH_WAYS
def test_the_whole_proposal_journey(new_page, live_server, recipient, tmp_path, layout, javascript, n):
    photo = tmp_path / "foto.png"
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (30, 120, 200)).save(buffer, "PNG")
    photo.write_bytes(buffer.getvalue())
    email = active_account(live_server, n)
    page = new_page(layout, javascript=javascript)

    page.goto("/akun/masuk")
    page.get_by_label("NIK atau e-mail").fill(email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    press(page, "Masuk", javascript)

    page.goto("/usulan/")
    page.get_by_label("No. KK").fill(f"32760601012000{n + 50:02d}")
    page.get_by_label("NIK orang yang diusulkan").fill(f"32760617087500{n + 60:02d}")
    press(page, "Cek Usulan", javascript)
    expect(page.get_by_role("heading", level=1)).to_have_text("Data diri sesuai KTP")

    # A dropped connection costs nothing: leave, come back, carry on.
    page.get_by_label("Nama lengkap sesuai KTP").fill("Siti Rahma")
    page.get_by_label("Tempat lahir").fill("Depok")
    page.get_by_label("Laki-laki").check()
    page.get_by_label("Pekerjaan").fill("Buruh harian lepas")
    press(page, "Simpan dan lanjutkan", javascript)
    page.goto("/usulan/")
    press(page, "Siti Rahma", javascript, role="link")
    expect(page.get_by_role("heading", level=1)).to_have_text("Anggota keluarga sesuai KK")

    press(page, "Tambah anggota keluarga", javascript, role="link")
    page.get_by_label("NIK").fill("3276064508800071")
    page.get_by_label("Nama lengkap sesuai KTP").fill("Rina Wati")
    page.get_by_label("Istri").check()
    page.get_by_label("Tanggal lahir").fill("05-08-1980")
    page.get_by_label("Perempuan").check()
    page.get_by_label("Pekerjaan").fill("Ibu rumah tangga")
    press(page, "Simpan anggota", javascript)
    expect(page.get_by_role("rowheader", name="Rina Wati")).to_be_visible()
    press(page, "Semua anggota sudah ditulis, lanjutkan", javascript)

    choose_region(page, recipient.region_names, javascript)
    page.get_by_label("Jalan, nomor rumah, dusun").fill("Jl. Kenanga No. 7")
    page.get_by_label("RT", exact=True).fill("3")
    page.get_by_label("RW", exact=True).fill("5")
    press(page, "Simpan dan lanjutkan", javascript)

    page.get_by_label("Ada anggota lanjut usia (60 tahun ke atas)").check()
    page.get_by_label("Alasan diusulkan").fill("Suami sakit menahun, tidak ada penghasilan tetap.")
    press(page, "Simpan dan lanjutkan", javascript)

    page.get_by_label(re.compile(r"^PKH:")).check()
    press(page, "Simpan dan lanjutkan", javascript)

    for name in ("Foto e-KTP", "Foto Kartu Keluarga (KK)", "Surat Keterangan Tidak Mampu (SKTM)"):
        page.get_by_label(f"Pilih foto {name}").set_input_files(str(photo))
        press(page, f"Unggah {name}", javascript)
        expect(page.get_by_label(f"Ganti foto {name}")).to_be_visible()
    press(page, "Lanjutkan ke pemeriksaan", javascript, role="link")

    expect(page.get_by_role("heading", level=1)).to_have_text("Periksa kembali usulan Anda")
    expect(page.get_by_text("Jl. Kenanga No. 7 RT 003/RW 005")).to_be_visible()
    press(page, "Ubah alasan", javascript, role="link")
    page.get_by_label("Alasan diusulkan").fill("Suami sakit menahun.")
    press(page, "Simpan dan lanjutkan", javascript)
    expect(page.get_by_text("Suami sakit menahun.")).to_be_visible()
    press(page, "Kirim", javascript)

    expect(page.get_by_role("heading", level=1)).to_have_text("Tanda terima usulan bantuan sosial")
    receipt = page.locator(".receipt-no").inner_text().strip()
    assert re.fullmatch(r"USL-[A-Z0-9]{4}-[A-Z0-9]{4}", receipt)
    press(page, "Lihat status usulan", javascript, role="link")
    expect(page.get_by_text("Musyawarah Desa/Kelurahan")).to_be_visible()

    anonymous = new_page(layout, javascript=javascript)
    anonymous.goto("/usulan/status")
    anonymous.get_by_label("Nomor tanda terima").fill(receipt)
    anonymous.get_by_label("Tanggal lahir orang yang diusulkan").fill("17-08-1975")
    anonymous.get_by_label("Ketik kode pada gambar").fill(CAPTCHA)
    press(anonymous, "Cek status", javascript)
    expect(anonymous.get_by_role("heading", name=f"{receipt}: Diajukan")).to_be_visible()
