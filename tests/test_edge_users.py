"""Issue 13 over HTTP: the audio captcha in both forms that have one, the
lookup's landing and title, status links, cookies off, kiosk Back/Reload,
passwords never echoed."""

import re

import pytest

from .conftest import CAPTCHA, form_fields
from .helpers import text


def test_a_wrong_audio_answer_on_the_status_check_stays_audio(client):
    """The drift between cek and usulan: an audio user who gets the public
    status captcha wrong gets audio back, with words for audio."""
    page = text(client.get("/usulan/status"))
    csrf, _token = form_fields(page)
    response = client.post("/usulan/status", data={"csrf_token": csrf, "captcha_baru": "audio"})
    csrf, token = form_fields(text(response))
    assert 'name="captcha_jenis" value="audio"' in text(response)
    wrong = client.post("/usulan/status", data={"csrf_token": csrf, "captcha_token": token,
                                                "captcha_jenis": "audio", "captcha": "00000",
                                                "receipt": "USL-AAAA-AAAA", "birth_date": "17-08-1975"})
    html = text(wrong)
    assert wrong.status_code == 422
    assert 'name="captcha_jenis" value="audio"' in html and ".mp3" in html
    assert "Angka salah. Dengarkan kode suara yang baru" in html
    assert "pada gambar" not in html


def test_a_wrong_audio_answer_on_the_lookup_says_audio(lookup, registry_person):
    response = lookup.by_name(registry_person.desa_code, registry_person.name, captcha="00000",
                              captcha_jenis="audio")
    html = text(response)
    assert response.status_code == 422
    assert "Angka salah" in html and 'name="captcha_jenis" value="audio"' in html


def test_an_empty_audio_answer_asks_for_the_digits_heard(lookup, registry_person):
    html = text(lookup.by_name(registry_person.desa_code, registry_person.name, captcha="",
                               captcha_jenis="audio"))
    assert "Ketik angka yang Anda dengar pada kode suara." in html
    assert "Ketik kode captcha yang tampil pada gambar." not in html


def test_no_js_switch_buttons_land_on_the_captcha_and_the_search_on_the_result(client):
    html = text(client.get("/"))
    assert 'action="/#hasil"' in html
    assert html.count('formaction="/#captcha-box"') == 2  # Ganti kode, Dengarkan kode


def test_the_title_says_the_outcome(lookup, registry_person):
    found = text(lookup.by_name(registry_person.desa_code, registry_person.name))
    assert re.search(r"<title>\d+ data ditemukan – Cek Penerima Bansos – ", found)
    assert 'id="hasil"' in found
    missing = text(lookup.by_name(registry_person.desa_code, "Nama Yang Tidak Ada"))
    assert "<title>Tidak ditemukan – Cek Penerima Bansos" in missing
    # The not-found slip says what was searched, where and when.
    assert "Nama Yang Tidak Ada" in missing and "Tanggal pencarian" in missing
    assert re.search(r"<dt>Desa/Kelurahan</dt><dd>[^<]+</dd>", missing)


def test_the_status_check_is_linked_from_everywhere(client, lookup, registry_person):
    for path in ("/", "/akun/masuk", "/usulan/status"):
        assert 'href="/usulan/status"' in text(client.get(path)), path
    missing = text(lookup.by_name(registry_person.desa_code, "Nama Yang Tidak Ada"))
    result = missing.split('id="hasil"')[1]
    assert 'href="/usulan/status"' in result


def test_the_sign_in_page_says_why_an_online_proposal_needs_an_account(client):
    html = text(client.get("/usulan/", follow_redirects=True))
    assert "Usulan daring diajukan dari akun warga" in html
    assert "Usulan daring diajukan" not in text(client.get("/akun/masuk"))


def test_cookies_off_is_named(app, registry_person):
    """A browser that keeps no cookie sends no session: say cookies are
    needed, not "page open too long", on every form."""
    with_cookies = app.test_client()
    csrf, token = form_fields(text(with_cookies.get("/")))
    no_cookies = app.test_client(use_cookies=False)
    response = no_cookies.post("/", data={"csrf_token": csrf, "captcha_token": token, "mode": "nama",
                                          "nama": registry_person.name, "captcha": CAPTCHA})
    assert response.status_code == 400 and "tidak mengirim cookie" in text(response)
    other = no_cookies.post("/usulan/status", data={"csrf_token": csrf})
    assert other.status_code == 400 and "tidak mengirim cookie" in text(other)
    # With the cookie but a stale token: the old message.
    stale = with_cookies.post("/", data={"csrf_token": "stale", "mode": "nama", "nama": "X"})
    assert "terlalu lama terbuka" in text(stale)


@pytest.mark.app_config(KIOSK_MODE=True)
def test_kiosk_resent_form_after_selesai_shows_nothing(client, registry_person):
    csrf, token = form_fields(text(client.get("/?mode=nik")))
    data = {"csrf_token": csrf, "captcha_token": token, "captcha": CAPTCHA, "mode": "nik",
            "nik": registry_person.nik}
    first = client.post("/", data=data)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-store"
    client.post("/kiosk/selesai", data={"csrf_token": csrf})
    again = client.post("/", data=data)  # Back + "confirm resubmission", or Reload
    assert again.status_code == 303 and again.headers["Location"].endswith("/")
    assert registry_person.nik not in text(again)
    start = client.get("/")
    assert start.headers["Cache-Control"] == "no-store" and registry_person.nik not in text(start)


def test_a_valid_password_is_not_sent_back_after_pilih(client):
    csrf, _ = form_fields(text(client.get("/akun/daftar")))
    html = text(client.post("/akun/daftar", data={"csrf_token": csrf, "password": "kuda lari di sawah",
                                                 "provinsi": "32", "pilih": "1"}))
    assert "kuda lari di sawah" not in html
    assert re.search(r'type="password"[^>]*value=""', html)
