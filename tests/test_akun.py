"""Registration: every rule, each message next to its field and in the
summary, nothing typed lost; the inline check uses the same rules."""

import re

import pytest

from webapp.akun.models import EMAIL, Account

from .conftest import PASSWORD, form_fields, registration_data, synthetic_nik
from .helpers import text


def test_a_valid_registration_creates_the_account_and_sends_a_code(akun, db, mail_outbox):
    response = akun.register(email="Warga.Contoh@Example.COM", hp="0812 3456 7890")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/akun/verifikasi")
    account = Account.get(Account.nik == synthetic_nik())
    assert account.state == EMAIL
    assert account.email == "warga.contoh@example.com"
    assert account.phone == "+6281234567890"
    assert (account.rt, account.rw, account.desa_code) == ("004", "012", "32.76.06.1001")
    assert account.password_hash.startswith("scrypt:") and PASSWORD not in account.password_hash
    assert len(account.public_id) == 32
    message = mail_outbox.last()
    assert message["To"] == "warga.contoh@example.com"
    assert re.search(r"\b\d{6}\b", message.get_content())


BAD = [
    ("nik", "12345", "NIK harus 16 digit; yang Anda ketik 5 digit."),
    ("nik", "٣٢٧٦٠٦١٥٠٨٩٠٠٠٠٧", "NIK hanya berisi angka 0–9."),
    ("nik", "9999991508900007", "kode wilayah 999999"),
    ("nik", synthetic_nik(born="320890"), "bukan tanggal lahir yang benar"),
    ("nik", synthetic_nik(born="150815"), "belum 17 tahun"),
    ("no_kk", "32760601", "Nomor KK harus 16 digit"),
    ("nama", "12345", "Nama hanya berisi huruf"),
    ("rt", "abc", "RT berisi 1–3 angka"),
    ("hp", "12345", "Nomor HP tidak dikenali"),
    ("hp", "021 1234567", "bukan nomor telepon rumah"),
    ("email", "bukan-email", "Alamat e-mail tidak benar"),
    ("password", "pendek", "paling sedikit 8 karakter"),
    ("password", "password123", "paling sering dipakai"),
    ("password", "aaaaaaaaaaaa", "Pengulangan"),
    ("setuju", "", "Centang persetujuan"),
    ("desa", "", "Pilih Desa/Kelurahan sesuai KTP."),
]


@pytest.mark.parametrize(("name", "value", "says"), BAD)
def test_each_rule_says_what_to_do_next_to_the_field_and_keeps_the_rest(akun, name, value, says):
    response = akun.register(**{name: value})
    html = text(response)
    assert response.status_code == 422
    assert says in html
    assert html.count(says) >= 2, "message in the summary and next to the field"
    assert "<title>Kesalahan: " in html and 'role="alert"' in html
    anchor = "alamat-desa" if name == "desa" else name
    assert f'href="#{anchor}"' in html and f'id="{anchor}-error"' in html
    data = registration_data("x")
    for kept in ("no_kk", "nama", "alamat", "email"):
        if kept != name:
            assert f'value="{data[kept]}"' in html
    assert '<option value="32.76.06" selected>' in html


def test_a_woman_s_nik_day_plus_40_is_a_real_date(akun, db):
    assert akun.register(nik=synthetic_nik(born="550890")).status_code == 302


def test_a_long_passphrase_with_spaces_is_kept_exactly(akun, db):
    phrase = "  sapi makan rumput di pinggir kali ciliwung sambil menunggu hujan reda sore ini  "
    assert len(phrase) > 64
    assert akun.register(password=phrase).status_code == 302
    assert akun.sign_out().status_code == 302
    assert akun.sign_in(password=phrase.strip()).status_code == 422
    assert akun.sign_in(password=phrase).status_code == 302


def test_password_field_allows_paste_and_password_managers(client):
    html = text(client.get("/akun/daftar"))
    tag = re.search(r'<input type="password"[^>]*>', html).group(0)
    assert 'autocomplete="new-password"' in tag
    assert "paste" not in html.lower()


def test_a_password_is_never_echoed(akun):
    """Issue 13: neither a refused nor a valid password comes back in the
    HTML after an error; the person is told to type it again."""
    html = text(akun.register(password="password123"))
    assert 'value="password123"' not in html
    html = text(akun.register(nik="12345"))
    assert PASSWORD not in html
    assert "ketik ulang" in html


def test_nik_from_another_kecamatan_asks_for_confirmation(akun, db):
    other = synthetic_nik(kecamatan="327601")
    response = akun.register(nik=other)
    html = text(response)
    assert response.status_code == 422
    assert "Alamat saya memang berbeda dari kode wilayah NIK" in html
    assert not Account.select().exists()
    assert akun.register(nik=other, alamat_beda="y").status_code == 302
    assert Account.get().nik == other


def test_nik_and_email_are_unique(akun, db, client):
    assert akun.register().status_code == 302
    client.post("/akun/keluar", data={"csrf_token": akun.csrf("/akun/verifikasi")})
    html = text(akun.register(email="lain@example.com"))
    assert "NIK ini sudah punya akun" in html
    html = text(akun.register(nik=synthetic_nik(serial="0008"), email="WARGA.contoh@example.com"))
    assert "E-mail ini sudah dipakai akun lain" in html
    assert Account.select().count() == 1


def test_choosing_a_region_without_javascript_keeps_everything(client):
    csrf = form_fields(text(client.get("/akun/daftar")))[0]
    data = registration_data(csrf, kecamatan="", desa="", pilih="1")
    response = client.post("/akun/daftar", data=data)
    html = text(response)
    assert response.status_code == 200
    assert f'value="{data["nama"]}"' in html and PASSWORD not in html  # a password is never echoed
    assert re.search(r'<option value="32\.76\.06">', html)
    assert 'id="alamat-kecamatan"' in html and 'name="kecamatan"' in html
    assert "Ada yang perlu diperbaiki" not in html


@pytest.mark.parametrize("value", ["\x00" * 5, "x" * 10000, "😀" * 50, "' OR 1=1 --", "<script>x</script>"])
def test_hostile_input_in_every_field_is_a_message_not_a_500(akun, value):
    fields = ("nik", "no_kk", "nama", "alamat", "rt", "rw", "hp", "email", "password",
              "provinsi", "kabupaten", "kecamatan", "desa")
    response = akun.register(**{name: value for name in fields})
    assert response.status_code == 422
    assert "<script>x</script>" not in text(response)


def _check(client, name, value, **more):
    csrf = form_fields(text(client.get("/akun/daftar")))[0]
    return client.post(f"/akun/daftar/periksa/{name}", data={name: value, **more},
                       headers={"HX-Request": "true", "X-CSRFToken": csrf})


def test_inline_check_answers_with_the_field_only_using_the_same_rules(client):
    response = _check(client, "nik", "12345")
    html = text(response)
    assert response.status_code == 200
    assert "<html" not in html and html.strip().startswith('<div class="field')
    assert "NIK harus 16 digit; yang Anda ketik 5 digit." in html
    assert 'value="12345"' in html
    ok = text(_check(client, "hp", "0812 3456 7890"))
    assert "+6281234567890" in ok and "Telkomsel" in ok and 'class="error"' not in ok
    weak = text(_check(client, "password", "budisantoso", nama="Budi Santoso"))
    assert 'class="error"' in weak


def test_inline_check_needs_the_csrf_header_and_a_known_field(client):
    assert client.post("/akun/daftar/periksa/nik", data={"nik": "1"},
                       headers={"HX-Request": "true"}).status_code == 400
    assert _check(client, "password_hash", "x").status_code == 404
