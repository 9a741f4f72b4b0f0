"""The objection (sanggahan) journey in real Chromium: a citizen of the
desa opens the list of recipients, objects to one (errors first, then a
reason, a note, a photo and the honesty statement), reads the objection's
status; a Dinas Sosial officer (password + TOTP) finds it in the queue and
decides; the citizen reads the decision. At 360 px and 1280 px, with
JavaScript and without."""

import re

import pytest
from playwright.sync_api import expect

from webapp.identity import mask_name

from .journey import (
    EVERY_WAY,
    Looker,
    Officer,
    active_citizen,
    heading,
    photo_file,
    press,
    sign_in,
    way_number,
)

pytestmark = pytest.mark.browser

# One reason per run, so each run's officer finds its own objection in the queue.
REASONS = ("Sudah mampu", "Sudah pindah domisili", "PNS/ASN, TNI atau Polri", "Data ganda")


def fact(page, term):
    """The value (dd) next to a term (dt) of a facts list."""
    return page.locator("dl div").filter(has=page.get_by_text(term, exact=True)).get_by_role("definition")


@EVERY_WAY
def test_object_to_a_recipient_and_read_the_decision(new_page, live_server, recipient, snap, tmp_path,
                                                     layout, javascript):
    n = way_number(layout, javascript)
    desa = recipient.desa_code
    look = Looker(snap, layout, javascript)
    email = active_citizen(live_server, f"{desa.replace('.', '')[:6]}17087517{n:02d}",
                           f"penyanggah{n}@contoh.test", desa)
    officer = Officer(live_server, f"sanggahan{n}@contoh.test", "dinsos_verifikator", desa[:5])

    page = new_page(layout, javascript=javascript)
    sign_in(page, email)
    page.get_by_role("navigation", name="Menu utama").get_by_role("link", name="Sanggahan").click()
    heading(page, "Sanggahan")
    look(page, "sanggahan")
    press(page, "Sanggah penerima", role="link")
    heading(page, "Tanggapan Kelayakan")
    look(page, "penerima")
    # Someone other than the session's recipient, whom other tests look up.
    links = page.get_by_role("link", name=re.compile(r"^Sanggah dengan bukti \S"))
    expect(links.first).to_be_visible()
    others = [link for link in links.all() if mask_name(recipient.name) not in link.inner_text()]
    target = others[n % len(others)]
    masked = target.inner_text().removeprefix("Sanggah dengan bukti").strip()
    with page.expect_navigation():
        target.click()
    heading(page, f"Sanggah penerima {masked}")
    look(page, "form")

    # Sent empty: the summary names both missing answers, the input stays.
    page.get_by_label("Keterangan", exact=True).fill("Sudah punya toko dan mobil")
    press(page, "Kirim sanggahan")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Pilih alasan sanggahan")
    expect(page).to_have_title(re.compile("^Kesalahan: "))
    expect(page.get_by_label("Keterangan", exact=True)).to_have_value("Sudah punya toko dan mobil")
    look(page, "form-error")

    page.get_by_label(REASONS[n], exact=True).check()
    page.get_by_label("Foto rumah penerima").set_input_files(photo_file(tmp_path))
    page.get_by_label("Keterangan lokasi").fill("RT 03/RW 05, rumah cat hijau")  # "Sudah mampu" needs it
    page.get_by_label("Saya menyatakan keterangan ini benar dan dapat dipertanggungjawabkan.").check()
    press(page, "Kirim sanggahan")
    heading(page, "Sanggahan")
    expect(fact(page, "Status")).to_have_text("Menunggu tindak lanjut")
    expect(fact(page, "Alasan")).to_have_text(REASONS[n])
    expect(page.get_by_role("link", name="Lihat foto bukti")).to_be_visible()
    look(page, "detail-menunggu")

    # The officer decides: not upheld, with a note the citizen reads.
    desk = new_page(layout, javascript=javascript)
    officer.sign_in(desk)
    desk.get_by_role("navigation", name="Menu petugas").get_by_role("link", name="Sanggahan").click()
    heading(desk, "Sanggahan dan pengunduran diri")
    look(desk, "petugas-antrean")
    press(desk, REASONS[n], role="link")
    heading(desk, "Sanggahan")
    expect(fact(desk, "Keterangan pelapor")).to_have_text("Sudah punya toko dan mobil")
    look(desk, "petugas-detail")
    desk.get_by_label("Tolak", exact=True).check()
    desk.get_by_label("Catatan untuk pelapor").fill("Masih layak menurut verifikasi lapangan")
    press(desk, "Simpan putusan")
    expect(desk.get_by_role("status")).to_have_text("Putusan tersimpan.")
    expect(desk.get_by_role("link", name=REASONS[n])).to_have_count(0)

    page.reload()
    expect(fact(page, "Status")).to_have_text("Tidak diterima")
    expect(fact(page, "Catatan petugas")).to_have_text("Masih layak menurut verifikasi lapangan")
    look(page, "detail-diputuskan")
    page.get_by_role("link", name="Kembali").click()
    heading(page, "Sanggahan")
    expect(page.get_by_role("link", name=REASONS[n])).to_be_visible()
    look.check()
