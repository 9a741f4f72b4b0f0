"""Issue 14: a byte that is not UTF-8 in a form body (raw 0xFF, or %FF) is
no longer a vanished form ("page open too long", everything typed lost):
the person is told which field holds a letter that could not be read, the
rest of what they typed is kept, and the answer is a 400."""

import html as htmlmod
from urllib.parse import quote

from .conftest import form_fields

URLENCODED = "application/x-www-form-urlencoded"
MESSAGE = "Ada huruf yang tidak bisa dibaca"


def text(response):
    return htmlmod.unescape(response.get_data(as_text=True))


def _body(fields, raw_tail):
    return "&".join(f"{k}={quote(v)}" for k, v in fields.items()).encode() + raw_tail


def _lookup_fields(client, registry_person):
    csrf, token = form_fields(client.get("/").get_data(as_text=True))
    parts = registry_person.desa_code.split(".")
    return {"csrf_token": csrf, "captcha_token": token, "captcha": "24680", "mode": "nama",
            "provinsi": parts[0], "kabupaten": ".".join(parts[:2]),
            "kecamatan": ".".join(parts[:3]), "desa": registry_person.desa_code}


def test_a_raw_ff_byte_in_the_lookup_name_says_what_is_wrong(client, registry_person):
    fields = _lookup_fields(client, registry_person)
    response = client.post("/", data=_body(fields, b"&nama=Sit\xffi"), content_type=URLENCODED)
    page = text(response)
    assert response.status_code == 400
    assert MESSAGE in page
    assert "terlalu lama terbuka" not in page
    assert 'value="Sit\ufffdi"' in page  # the name as it arrived, the unreadable letter visible
    assert f'value="{registry_person.desa_code}" selected' in page or registry_person.desa_code in page


def test_a_percent_ff_in_the_lookup_name_says_what_is_wrong(client, registry_person):
    fields = _lookup_fields(client, registry_person)
    response = client.post("/", data=_body(fields, b"&nama=Budi%FF"), content_type=URLENCODED)
    page = text(response)
    assert response.status_code == 400
    assert MESSAGE in page and "terlalu lama terbuka" not in page


def test_a_raw_byte_in_the_sign_in_form_keeps_the_identity(client):
    csrf, _token = form_fields(client.get("/akun/masuk").get_data(as_text=True))
    body = _body({"csrf_token": csrf, "identitas": "siti@example.com"}, b"&password=rahasia\xff")
    response = client.post("/akun/masuk", data=body, content_type=URLENCODED)
    page = text(response)
    assert response.status_code == 400
    assert MESSAGE in page and "terlalu lama terbuka" not in page
    assert 'value="siti@example.com"' in page  # kept; the password never echoed
    assert "rahasia" not in page


def test_a_raw_byte_in_the_registration_form_keeps_the_rest(client):
    csrf, _token = form_fields(client.get("/akun/daftar").get_data(as_text=True))
    body = _body({"csrf_token": csrf, "nik": "3276064508800004", "hp": "081234567890"},
                 b"&nama=Ani\xff Lestari")
    response = client.post("/akun/daftar", data=body, content_type=URLENCODED)
    page = text(response)
    assert response.status_code == 400
    assert MESSAGE in page and "terlalu lama terbuka" not in page
    assert 'value="3276064508800004"' in page and 'value="+6281234567890"' in page
