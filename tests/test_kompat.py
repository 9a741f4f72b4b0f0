"""The real Cek Bansos site's contract, replayed as three public clients send
it (docs/api.md names them): the WhatsApp bot's NIK module (regexes over the
HTML, no redirects followed), the region crawler (cheerio selectors, XHR
headers, /cekbansos_v2) and the desa NIK checker's local proxy (meta token,
manual redirect, tbody/alert parser). Each assertion is what that client
reads; the patterns are written from their code, not copied."""

import base64
import json
import re
import zlib
from html.parser import HTMLParser

import pytest

from webapp.identity import mask_name

from .conftest import CAPTCHA

XHR = {"X-Requested-With": "XMLHttpRequest"}


class _Elements(HTMLParser):
    """Start tags with their attributes, like a selector engine sees them."""

    def __init__(self, html):
        super().__init__()
        self.tags = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def find(self, tag, **attrs):
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]


def _home(client):
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _session_cookie(client):
    cookie = client.get_cookie("session")
    assert cookie is not None
    value = cookie.value
    compressed = value.startswith(".")
    payload = value.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    return (zlib.decompress(raw) if compressed else raw).decode()


def _cells(html):
    """Rows of <td> texts inside the first plain <tbody>, as the bot reads them."""
    body = re.search(r"<tbody>([\s\S]*?)</tbody>", html)
    if not body:
        return []
    rows = []
    for tr in re.finditer(r"<tr>([\s\S]*?)</tr>", body.group(1)):
        cells = re.findall(r"<td[^>]*>([\s\S]*?)</td>", tr.group(1))
        rows.append([re.sub(r"<[^>]*>", "", c).strip() for c in cells])
    return rows


# --- GET / ---------------------------------------------------------------


def test_home_carries_the_tokens_captcha_and_nik_form(client):
    html = _home(client)
    assert client.get_cookie("session") is not None  # the session the captcha binds to
    meta = re.search(r"""name=["']csrf-token["']\s+content=["']([^"']+)["']""", html)
    hidden = re.search(r'name="_token"\s+value="([^"]+)"', html)
    assert meta and hidden and meta.group(1)
    page = _Elements(html)
    assert page.find("img", id="captchaCode")[0]["src"].startswith("/captcha/flat?")
    assert re.search(r'<img\s+src="([^"]*captcha[^"]*)"', html)
    nik = page.find("input", id="cek_peserta_nik")
    assert nik and nik[0]["name"] == "nik_input"
    assert page.find("input", id="captcha")[0]["name"] == "captcha"
    button = re.search(r'<button[^>]*id="btnCekNik"[^>]*>([^<]*)</button>', html)
    assert button and button.group(1).strip() == "Cari data"
    # Our own form is still there, with its own token and captcha.
    assert page.find("input", name="csrf_token") and page.find("input", name="captcha_token")


def test_captcha_flat_is_a_new_image_each_time_bound_to_the_session(client):
    _home(client)
    first = client.get("/captcha/flat?k3j2h")
    token_a = json.loads(_session_cookie(client))["kompat_captcha"]
    second = client.get("/captcha/flat?zz9")
    token_b = json.loads(_session_cookie(client))["kompat_captcha"]
    assert first.status_code == second.status_code == 200
    assert first.mimetype == "image/png" and first.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert token_a != token_b
    assert first.headers["Cache-Control"] == "no-store"


# --- regions -------------------------------------------------------------


def _options(response):
    html = response.get_data(as_text=True)
    return re.findall(r'<option value="([^"]*)">([^<]*)</option>', html)


def test_region_cascade_as_the_crawler_walks_it(client):
    html = _home(client)
    token = _Elements(html).find("meta", name="csrf-token")[0]["content"]
    headers = {**XHR, "X-CSRF-Token": token}
    provinces = _options(client.post("/provinsi", headers={**headers, "Content-Length": "0"}))
    assert provinces[0] == ("", "=== Pilih Provinsi ===")
    assert len(provinces) == 39 and ("32", "JAWA BARAT") in [(c, n.upper()) for c, n in provinces]
    kab = _options(client.post("/kabupaten", data={"kdprop": "32"}, headers=headers))
    assert kab[0] == ("", "=== Pilih Kab/kota ===") and "32.76" in [c for c, _n in kab]
    kec = _options(client.post("/kecamatan", data={"kdprop": "32", "kdkab": "32.76"}, headers=headers))
    assert kec[0] == ("", "=== Pilih Kecamatan ===") and "32.76.06" in [c for c, _n in kec]
    desa = _options(
        client.post("/desa", data={"kdprop": "32", "kdkab": "32.76", "kdkec": "32.76.06"}, headers=headers)
    )
    assert desa[0] == ("", "=== Pilih Desa ===") and "32.76.06.1001" in [c for c, _n in desa]


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"kdprop": "99"},
        {"kdprop": "<script>"},
        {"kdprop": "32", "kdkab": "31.71"},
        {"kdprop": "x" * 5000},
    ],
)
def test_unknown_or_mismatched_codes_give_the_placeholder_only(client, data):
    token = _Elements(_home(client)).find("meta", name="csrf-token")[0]["content"]
    response = client.post("/kecamatan", data=data, headers={**XHR, "X-CSRF-TOKEN": token})
    assert response.status_code == 200
    assert _options(response) == [("", "=== Pilih Kecamatan ===")]


def test_a_request_without_the_page_token_is_419(client):
    _home(client)
    response = client.post("/provinsi", headers={**XHR, "X-CSRF-TOKEN": "stale"})
    assert response.status_code == 419
    assert response.get_json()["status"] is False
    page = client.post(
        "/cekbansos_nik", data={"_token": "old", "nik_input": "3276060101900001", "captcha": CAPTCHA}
    )
    assert page.status_code == 419
    assert "kedaluwarsa" in page.get_data(as_text=True)


# --- POST /cekbansos_nik → /hasil-nik --------------------------------------


def _nik_lookup(client, nik, captcha=CAPTCHA):
    html = _home(client)
    token = re.search(r'name="_token"\s+value="([^"]+)"', html).group(1)
    client.get("/captcha/flat?r4nd0m")
    return client.post("/cekbansos_nik", data={"_token": token, "nik_input": nik, "captcha": captcha})


def test_found_nik_redirects_to_a_table_of_11_cells_without_the_nik(client, registry_person):
    response = _nik_lookup(client, registry_person.nik)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/hasil-nik")
    assert registry_person.nik not in _session_cookie(client)
    html = client.get("/hasil-nik").get_data(as_text=True)
    assert re.search(r"DTSEN\s+TRIWULAN\s+[\d.]+\s*\d*", html)
    rows = _cells(html)
    assert len(rows) == 1 and len(rows[0]) == 11
    name, desil, _ket, sembako, _sp, pkh, _pp, pbi, _bp, _bk, _kpd = rows[0]
    assert name == mask_name(registry_person.name)
    assert desil == str(registry_person.household.desil or "-")
    assert "YA" in (sembako, pkh, pbi)  # the fixture receives a program this quarter
    assert registry_person.nik not in html
    # The result is shown once: a reload goes back to the form.
    assert client.get("/hasil-nik").status_code == 302


def test_the_nik_checker_parser_reads_found_and_not_found(client, registry_person):
    _nik_lookup(client, registry_person.nik)
    html = client.get("/hasil-nik").get_data(as_text=True)
    body = re.search(r"<tbody[^>]*>([\s\S]*?)</tbody>", html, re.I).group(1)
    tr = re.findall(r"<tr[^>]*>[\s\S]*?</tr>", body, re.I)[0]
    assert len(re.findall(r"<t[dh][^>]*>[\s\S]*?</t[dh]>", tr, re.I)) >= 11
    response = _nik_lookup(client, "3276064508900009")  # valid shape, nobody in the registry
    assert response.headers["Location"].endswith("/hasil-nik")
    html = client.get("/hasil-nik").get_data(as_text=True)
    assert not re.search(r"<tbody", html)
    alert = re.search(r"""<div[^>]*class=["'][^"']*alert[^"']*["'][^>]*>([\s\S]*?)</div>""", html, re.I)
    assert alert and "Tidak Terdapat Peserta/PM" in alert.group(1)


def test_wrong_captcha_goes_back_to_the_form_which_says_so(client, registry_person):
    response = _nik_lookup(client, registry_person.nik, captcha="WRONG")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    html = _home(client)
    assert "Kode Captcha salah" in html
    assert '<details class="kompat" open>' in html


def test_a_captcha_is_answered_once(client, registry_person):
    html = _home(client)
    token = re.search(r'name="_token"\s+value="([^"]+)"', html).group(1)
    client.get("/captcha/flat?a")
    data = {"_token": token, "nik_input": registry_person.nik, "captcha": CAPTCHA}
    assert client.post("/cekbansos_nik", data=data).headers["Location"].endswith("/hasil-nik")
    assert client.post("/cekbansos_nik", data=data).headers["Location"] == "/"


def test_a_bad_nik_is_explained_on_the_form(client):
    response = _nik_lookup(client, "12345")
    assert response.headers["Location"] == "/"
    assert "16 digit" in _home(client)


# --- POST /cekbansos_v2 -----------------------------------------------------


def _v2(client, desa, name, captcha=CAPTCHA):
    token = _Elements(_home(client)).find("meta", name="csrf-token")[0]["content"]
    client.get("/captcha/flat?q")
    return client.post(
        "/cekbansos_v2",
        data={"nama_input": name, "wilayah_input": desa, "captcha": captcha},
        headers={**XHR, "X-CSRF-Token": token, "Accept": "application/json, text/javascript, */*; q=0.01"},
    )


def test_name_lookup_answers_json_with_region_names(client, registry_person):
    response = _v2(client, registry_person.desa_code, registry_person.name.lower())
    body = response.get_json()
    assert response.status_code == 200 and body["status"] is True
    item = body["data"][0]
    assert item["nama_penerima"] == mask_name(registry_person.name)
    assert item["kelurahan"] == registry_person.desa.name
    assert item["provinsi"] and item["kabupaten"] and item["kecamatan"]
    assert registry_person.nik not in response.get_data(as_text=True)


def test_name_lookup_with_a_wrong_captcha_says_captcha(client, registry_person):
    body = _v2(client, registry_person.desa_code, registry_person.name, captcha="NOPE").get_json()
    assert body["status"] is False and "Captcha" in body["message"] and body["data"] == []


@pytest.mark.parametrize(
    "desa,name",
    [
        ("99.99.99.9999", "Budi"),
        ("32.76.06", "Budi"),
        ("", "Budi"),
        ("32.76.06.1001", ""),
        ("32.76.06.1001", "1234"),
        ("32.76.06.1001", "x" * 300),
    ],
)
def test_name_lookup_bad_input_is_a_message_never_a_500(client, desa, name):
    response = _v2(client, desa, name)
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] is False and body["message"]


@pytest.mark.app_config(RATELIMIT_ENABLED=True, LOOKUP_RATE_LIMIT="2 per minute")
def test_lookups_through_the_contract_are_rate_limited(client, registry_person):
    for _ in range(2):
        assert _v2(client, registry_person.desa_code, registry_person.name).status_code == 200
    response = _v2(client, registry_person.desa_code, registry_person.name)
    assert response.status_code == 429
    assert response.get_json()["status"] is False
