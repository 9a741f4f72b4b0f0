"""The whole proposal journey in real Chromium: sign in, Cek Usulan, every
step, documents, Periksa kembali, Kirim, the receipt, the timeline and the
public status check. At 360 px and 1280 px, with JavaScript and without;
axe-core on every page (with JavaScript)."""

import re

import pytest
from playwright.sync_api import expect

from ..conftest import CAPTCHA
from .journey import (
    EVERY_WAY,
    Looker,
    active_citizen,
    choose_region,
    heading,
    photo_file,
    press,
    sign_in,
    way_number,
)

pytestmark = pytest.mark.browser


@EVERY_WAY
def test_the_whole_proposal_journey(new_page, live_server, recipient, tmp_path, snap, layout, javascript):
    n = way_number(layout, javascript) + 1
    look = Looker(snap, layout, javascript)
    photo = photo_file(tmp_path)
    email = active_citizen(live_server, f"32760617087511{n:02d}", f"peramban{n}@contoh.test", "32.76.06.1001",
                           name=f"Warga Uji {n}")
    page = new_page(layout, javascript=javascript)
    sign_in(page, email)
    look(page, "profil-aktif")

    page.get_by_role("navigation", name="Menu utama").get_by_role("link", name="Usulan").click()
    expect(page.get_by_label("No. KK")).to_be_visible()
    look(page, "gerbang")
    page.get_by_label("No. KK").fill(f"32760601012000{n + 50:02d}")
    page.get_by_label("NIK orang yang diusulkan").fill(f"32760617087500{n + 60:02d}")
    press(page, "Cek Usulan")
    heading(page, "Data diri sesuai KTP")
    look(page, "data-diri")

    # A dropped connection costs nothing: leave, come back, carry on.
    page.get_by_label("Nama lengkap sesuai KTP").fill("Siti Rahma")
    page.get_by_label("Tempat lahir").fill("Depok")
    page.get_by_label("Laki-laki").check()
    page.get_by_label("Pekerjaan").fill("Buruh harian lepas")
    press(page, "Simpan dan lanjutkan")
    page.goto("/usulan/")
    look(page, "usulan-saya")
    press(page, "Siti Rahma", role="link")
    heading(page, "Anggota keluarga sesuai KK")
    look(page, "anggota")

    press(page, "Tambah anggota keluarga", role="link")
    look(page, "anggota-baru")
    page.get_by_label("NIK").fill("3276064508800071")
    page.get_by_label("Nama lengkap sesuai KTP").fill("Rina Wati")
    page.get_by_label("Istri").check()
    page.get_by_label("Tanggal lahir").fill("05-08-1980")
    page.get_by_label("Perempuan").check()
    page.get_by_label("Pekerjaan").fill("Ibu rumah tangga")
    press(page, "Simpan anggota")
    expect(page.get_by_role("rowheader", name="Rina Wati")).to_be_visible()
    look(page, "anggota-tersimpan")
    press(page, "Semua anggota sudah ditulis, lanjutkan")

    look(page, "domisili")
    choose_region(page, recipient.region_names, javascript)
    page.get_by_label("Jalan, nomor rumah, dusun").fill("Jl. Kenanga No. 7")
    page.get_by_label("RT", exact=True).fill("3")
    page.get_by_label("RW", exact=True).fill("5")
    press(page, "Simpan dan lanjutkan")

    look(page, "kondisi")
    page.get_by_label("Ada anggota lanjut usia (60 tahun ke atas)").check()
    page.get_by_label("Alasan diusulkan").fill("Suami sakit menahun, tidak ada penghasilan tetap.")
    press(page, "Simpan dan lanjutkan")

    look(page, "program")
    page.get_by_label(re.compile(r"^PKH:")).check()
    press(page, "Simpan dan lanjutkan")

    heading(page, "Dokumen")
    look(page, "dokumen")
    for name in ("Foto e-KTP", "Foto Kartu Keluarga (KK)", "Surat Keterangan Tidak Mampu (SKTM)"):
        page.get_by_label(f"Pilih foto {name}").set_input_files(photo)
        press(page, f"Unggah {name}", javascript, htmx=True)
        expect(page.get_by_label(f"Ganti foto {name}")).to_be_visible()
    look(page, "dokumen-terunggah")
    press(page, "Lanjutkan ke pemeriksaan", role="link")

    heading(page, "Periksa kembali usulan Anda")
    expect(page.get_by_text("Jl. Kenanga No. 7 RT 003/RW 005")).to_be_visible()
    look(page, "periksa")
    press(page, "Ubah alasan", role="link")
    page.get_by_label("Alasan diusulkan").fill("Suami sakit menahun.")
    press(page, "Simpan dan lanjutkan")
    expect(page.get_by_text("Suami sakit menahun.")).to_be_visible()
    press(page, "Kirim")

    heading(page, "Tanda terima usulan bantuan sosial")
    receipt = page.get_by_text(re.compile(r"^USL-[A-Z0-9]{4}-[A-Z0-9]{4}$")).inner_text().strip()
    look(page, "tanda-terima")
    press(page, "Lihat status usulan", role="link")
    heading(page, "Status usulan")
    expect(page.get_by_text("Musyawarah Desa/Kelurahan")).to_be_visible()
    look(page, "linimasa")

    anonymous = new_page(layout, javascript=javascript)
    anonymous.goto("/usulan/status")
    look(anonymous, "cek-status")
    anonymous.get_by_label("Nomor tanda terima").fill(receipt)
    anonymous.get_by_label("Tanggal lahir orang yang diusulkan").fill("17-08-1975")
    anonymous.get_by_label("Ketik kode pada gambar").fill("13579")
    press(anonymous, "Cek status")
    expect(anonymous.get_by_role("alert")).to_contain_text("Kode captcha salah")
    expect(anonymous).to_have_title(re.compile("^Kesalahan: "))
    look(anonymous, "cek-status-error")
    anonymous.get_by_label("Ketik kode pada gambar").fill(CAPTCHA)
    press(anonymous, "Cek status")
    expect(anonymous.get_by_role("heading", name=f"{receipt}: Diajukan")).to_be_visible()
    look(anonymous, "cek-status-hasil")
    look.check()
