"""Issue 14: a captcha solved for one form is refused by every other form
(lookup, status check without an account, the Kemensos-contract form, the
API's two operations), with the normal "not valid, type the new one"
message and what was typed kept."""

import base64
import json

from .conftest import CAPTCHA, form_fields


def text(response):
    return response.get_data(as_text=True)


def _status_tokens(client):
    return form_fields(text(client.get("/usulan/status")))


def _lookup_tokens(client):
    return form_fields(text(client.get("/?mode=nik")))


def test_a_status_check_captcha_is_refused_by_the_lookup(client, registry_person):
    _csrf, status_token = _status_tokens(client)
    csrf, _own = _lookup_tokens(client)
    response = client.post("/", data={"csrf_token": csrf, "captcha_token": status_token,
                                      "captcha": CAPTCHA, "mode": "nik", "nik": registry_person.nik})
    html = text(response)
    assert response.status_code == 422
    assert "Kode captcha tidak berlaku. Ketik kode pada gambar yang baru." in html
    assert f'value="{registry_person.nik}"' in html  # what was typed is kept
    assert registry_person.name not in html  # nothing was looked up


def test_a_lookup_captcha_is_refused_by_the_status_check(client):
    _csrf, lookup_token = _lookup_tokens(client)
    csrf, _own = _status_tokens(client)
    response = client.post("/usulan/status", data={"csrf_token": csrf, "captcha_token": lookup_token,
                                                   "captcha": CAPTCHA, "receipt": "USL-AAAA-AAAA",
                                                   "birth_date": "17-08-1975"})
    html = text(response)
    assert response.status_code == 422
    assert "Kode captcha tidak berlaku" in html
    assert 'value="USL-AAAA-AAAA"' in html and 'value="17-08-1975"' in html


def test_each_form_still_takes_its_own_captcha(client, lookup, registry_person):
    assert lookup.by_nik(registry_person.nik).status_code == 200
    csrf, token = _status_tokens(client)
    response = client.post("/usulan/status", data={"csrf_token": csrf, "captcha_token": token,
                                                   "captcha": CAPTCHA, "receipt": "USL-AAAA-AAAA",
                                                   "birth_date": "17-08-1975"})
    assert response.status_code == 404 and "tidak berlaku" not in text(response)


def test_the_refresh_button_mints_for_the_form_it_sits_in(client):
    page = text(client.get("/usulan/status"))
    assert "untuk=usulan_status" in page
    widget = text(client.get("/captcha/baru?jenis=image&untuk=usulan_status"))
    assert "untuk=usulan_status" in widget
    assert client.get("/captcha/baru?untuk=bukan-formulir").status_code == 404


def _kompat_token(client):
    client.get("/")
    client.get("/captcha/flat?1")
    value = client.get_cookie("session").value
    payload = value.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    if value.startswith("."):
        import zlib

        raw = zlib.decompress(raw)
    return json.loads(raw)["kompat_captcha"]


def test_the_contract_forms_captcha_is_refused_by_the_lookup(client, registry_person):
    token = _kompat_token(client)  # readable by the holder of the cookie
    csrf, _own = _lookup_tokens(client)
    response = client.post("/", data={"csrf_token": csrf, "captcha_token": token,
                                      "captcha": CAPTCHA, "mode": "nik", "nik": registry_person.nik})
    assert response.status_code == 422 and "Kode captcha tidak berlaku" in text(response)


def test_api_captchas_answer_only_their_operation(client, registry_person):
    web_token = _lookup_tokens(client)[1]
    lookup_token = client.get("/api/v1/captcha").get_json()["token"]
    status_token = client.get("/api/v1/captcha?untuk=usulan_status").get_json()["token"]
    status_body = {"nomor": "USL-AAAA-AAAA", "tanggal_lahir": "17-08-1975", "captcha": CAPTCHA}
    refused = client.post("/api/v1/usulan/status", json={**status_body, "captcha_token": lookup_token})
    assert refused.status_code == 400 and refused.get_json()["code"] == "captcha_tidak_berlaku"
    refused = client.post("/api/v1/cek", json={"captcha_token": status_token, "captcha": CAPTCHA,
                                               "nik": registry_person.nik})
    assert refused.status_code == 400 and refused.get_json()["code"] == "captcha_tidak_berlaku"
    refused = client.post("/api/v1/cek", json={"captcha_token": web_token, "captcha": CAPTCHA,
                                               "nik": registry_person.nik})
    assert refused.status_code == 400 and refused.get_json()["code"] == "captcha_tidak_berlaku"
    # A refused token was not used up: its own operation still takes it.
    ok = client.post("/api/v1/cek", json={"captcha_token": lookup_token, "captcha": CAPTCHA,
                                          "nik": registry_person.nik})
    assert ok.status_code == 200
