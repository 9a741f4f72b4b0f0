"""/api/v1: regions, the public lookup and proposal status (captcha, same
limits), partner keys (issued by an officer, hashed, region-scoped,
revocable, rate-limited, audited) and JSON errors in Bahasa Indonesia.
Every answer here is also checked against the OpenAPI document
(tests/test_api_schema.py fuzzes each operation with schemathesis)."""

import re
from datetime import date, datetime

import pytest

from webapp.identity import mask_name

from .conftest import CAPTCHA, synthetic_nik

OFFICER = "verifikator.depok@example.com"


def _captcha(client, untuk=None):
    body = client.get("/api/v1/captcha" + (f"?untuk={untuk}" if untuk else "")).get_json()
    assert client.get(body["gambar"]).mimetype == "image/png"
    return body["token"]


def test_regions_walk_from_the_country_to_a_desa(client):
    provinces = client.get("/api/v1/wilayah").get_json()["anak"]
    assert len(provinces) == 38
    depok = client.get("/api/v1/wilayah/32.76.06").get_json()
    assert (
        depok["kode"] == "32.76.06"
        and {"kode": "32.76.06.1001", "nama": depok["anak"][0]["nama"]} in depok["anak"]
    )
    missing = client.get("/api/v1/wilayah/99.99")
    assert missing.status_code == 404
    assert missing.get_json() == {"code": "wilayah_tidak_dikenal", "message": "Kode wilayah tidak dikenal."}


def test_lookup_by_name_and_by_nik_with_a_captcha(client, registry_person):
    body = {
        "captcha_token": _captcha(client),
        "captcha": CAPTCHA,
        "desa": registry_person.desa_code,
        "nama": registry_person.name,
    }
    response = client.post("/api/v1/cek", json=body)
    assert response.status_code == 200
    found = response.get_json()
    assert found["ditemukan"] is True and found["orang"][0]["nama"] == mask_name(registry_person.name)
    assert any(p["menerima"] for p in found["orang"][0]["program"])
    assert registry_person.nik not in response.get_data(as_text=True)
    by_nik = client.post(
        "/api/v1/cek",
        json={"captcha_token": _captcha(client), "captcha": CAPTCHA, "nik": registry_person.nik},
    ).get_json()
    assert by_nik["orang"][0]["nama"] == mask_name(registry_person.name)


def test_lookup_errors_are_json_in_bahasa_indonesia(client, registry_person):
    token = _captcha(client)
    wrong = client.post(
        "/api/v1/cek", json={"captcha_token": token, "captcha": "XXXXX", "nik": registry_person.nik}
    )
    assert wrong.status_code == 400
    assert wrong.get_json()["code"] == "captcha_salah" and "captcha salah" in wrong.get_json()["message"]
    again = client.post(
        "/api/v1/cek", json={"captcha_token": token, "captcha": CAPTCHA, "nik": registry_person.nik}
    )
    assert again.get_json()["code"] == "captcha_sudah_dipakai"
    bad_nik = client.post(
        "/api/v1/cek", json={"captcha_token": _captcha(client), "captcha": CAPTCHA, "nik": "123"}
    )
    assert bad_nik.status_code == 422 and "16 digit" in bad_nik.get_json()["message"]
    no_desa = client.post("/api/v1/cek", json={"captcha_token": "t", "captcha": "c", "nama": "Budi"})
    assert no_desa.status_code == 422 and no_desa.get_json()["errors"] == {
        "desa": ["Kode desa tidak dikenal."]
    }
    garbage = client.post("/api/v1/cek", data=b"\xff\x00", content_type="application/json")
    assert garbage.status_code in (400, 422) and garbage.is_json and garbage.get_json()["message"]
    missing = client.post("/api/v1/cek", json={})
    assert missing.get_json()["errors"]["captcha"] == ["Wajib diisi."]


@pytest.mark.app_config(RATELIMIT_ENABLED=True, LOOKUP_RATE_LIMIT="2 per minute")
def test_lookup_api_has_the_lookup_limit(client):
    for _ in range(2):
        assert (
            client.post("/api/v1/cek", json={"captcha_token": "x", "captcha": "y", "nik": "1"}).status_code
            == 422
        )
    limited = client.post("/api/v1/cek", json={"captcha_token": "x", "captcha": "y", "nik": "1"})
    assert limited.status_code == 429 and limited.get_json()["code"] == "terlalu_sering"


def _proposal(db, desa="32.76.06.1001", receipt="USL-TEST-0001", events=("diajukan", "musyawarah")):
    from webapp.usulan.models import Proposal, ProposalEvent

    born = date(1980, 8, 15)
    proposal = Proposal.create(
        public_id=receipt.lower(),
        account_id=1,
        receipt_no=receipt,
        status=events[-1],
        no_kk="3276060101100099",
        nik=synthetic_nik("150880", "0031"),
        name="Warga Contoh",
        birth_date=born,
        desa=desa,
        submitted_at=datetime(2026, 11, 2, 9, 0),
    )
    for i, status in enumerate(events):
        ProposalEvent.create(
            proposal=proposal,
            status=status,
            actor_role="warga" if i == 0 else "petugas",
            created_at=datetime(2026, 11, 2 + i, 9, 0),
        )
    return proposal


def test_proposal_status_without_an_account(client, db):
    _proposal(db)
    body = {
        "nomor": "usl-test-0001",
        "tanggal_lahir": "15-08-1980",
        "captcha_token": _captcha(client, "usulan_status"),
        "captcha": CAPTCHA,
    }
    response = client.post("/api/v1/usulan/status", json=body)
    assert response.status_code == 200
    status = response.get_json()
    assert status["nomor"] == "USL-TEST-0001" and status["status"] == "musyawarah"
    assert [s["status"] for s in status["langkah"]][:2] == ["diajukan", "musyawarah"]
    assert re.match(r"2026-11-02T09:00:00[+-]\d\d:\d\d", status["langkah"][0]["waktu"])
    wrong_birth = client.post(
        "/api/v1/usulan/status",
        json={**body, "tanggal_lahir": "16-08-1980", "captcha_token": _captcha(client, "usulan_status")},
    )
    assert wrong_birth.status_code == 404 and wrong_birth.get_json()["code"] == "usulan_tidak_ditemukan"


# --- partner keys -----------------------------------------------------------


@pytest.fixture
def officer(runner, db):
    result = runner.invoke(
        args=[
            "petugas",
            "buat",
            "--email",
            OFFICER,
            "--nik",
            synthetic_nik("010170", "0041"),
            "--nama",
            "Verifikator Depok",
            "--peran",
            "dinsos_verifikator",
            "--wilayah",
            "32.76",
            "--sandi",
            "kata sandi panjang sekali",
        ]
    )
    assert result.exit_code == 0, result.output
    return OFFICER


def _issue(runner, region="32.76.06", limit=None):
    args = [
        "petugas",
        "api-key",
        "buat",
        "--oleh",
        OFFICER,
        "--wilayah",
        region,
        "--nama",
        "SID Kecamatan Beji",
    ]
    result = runner.invoke(args=args + (["--batas", limit] if limit else []))
    assert result.exit_code == 0, result.output
    key = re.search(r"\b(cbl_[0-9a-f]+_\S+)", result.output).group(1)
    return key, key.split("_")[1]


def test_key_is_issued_once_hashed_and_only_inside_the_officers_region(runner, officer, db):
    from webapp.api.keys import ApiKey

    key, key_id = _issue(runner)
    row = ApiKey.get(ApiKey.public_id == key_id)
    assert key not in (row.key_hash, row.name) and len(row.key_hash) == 64
    outside = runner.invoke(
        args=["petugas", "api-key", "buat", "--oleh", OFFICER, "--wilayah", "31.71", "--nama", "Lain"]
    )
    assert outside.exit_code != 0 and "di luar wilayah" in outside.output
    listed = runner.invoke(args=["petugas", "api-key", "daftar"]).output
    assert key_id in listed and key.split("_", 2)[2] not in listed  # the secret (it may hold "_")


def test_registry_export_is_the_keys_region_only_paged_and_audited(client, runner, officer, db):
    from webapp.petugas.models import AuditLog
    from webapp.registry.models import Person

    key, key_id = _issue(runner)
    headers = {"X-API-Key": key}
    first = client.get("/api/v1/mitra/registry?batas=5", headers=headers)
    assert first.status_code == 200
    page = first.get_json()
    assert page["wilayah"] == "32.76.06" and len(page["data"]) == 5 and page["berikutnya"]
    assert all(p["kode_desa"].startswith("32.76.06.") for p in page["data"])
    person = Person.get_by_id(page["data"][0]["id"])
    assert page["data"][0]["nik"] == person.nik and page["data"][0]["no_kk"] == person.household.no_kk
    seen = []
    after = 0
    while after is not None:
        body = client.get(
            f"/api/v1/mitra/registry?batas=200&setelah={after}", headers={"Authorization": f"Bearer {key}"}
        ).get_json()
        seen += [p["id"] for p in body["data"]]
        after = body["berikutnya"]
    inside = Person.select().where(Person.desa.startswith("32.76.06.")).count()
    assert len(seen) == len(set(seen)) == inside > 5
    uses = AuditLog.select().where((AuditLog.action == "api_registry") & (AuditLog.object_id == key_id))
    assert uses.count() >= 2 and {u.region_code for u in uses} == {"32.76.06"}


def test_proposal_changes_since_a_date_in_the_keys_region(client, runner, officer, db):
    _proposal(db)
    _proposal(db, desa="31.71.01.1001", receipt="USL-LAIN-0002")
    key, _id = _issue(runner)
    body = client.get(
        "/api/v1/mitra/usulan/perubahan?sejak=2026-11-03", headers={"X-API-Key": key}
    ).get_json()
    assert [(c["nomor"], c["peristiwa"]) for c in body["data"]] == [("USL-TEST-0001", "musyawarah")]
    bad = client.get("/api/v1/mitra/usulan/perubahan?sejak=kemarin", headers={"X-API-Key": key})
    assert bad.status_code == 422 and bad.get_json()["errors"]["sejak"]


def test_revoked_or_wrong_keys_are_refused(client, runner, officer, db):
    key, key_id = _issue(runner)
    assert client.get("/api/v1/mitra/registry", headers={"X-API-Key": key + "x"}).status_code == 401
    assert client.get("/api/v1/mitra/registry").get_json()["code"] == "kunci_tidak_sah"
    result = runner.invoke(args=["petugas", "api-key", "cabut", key_id, "--oleh", OFFICER])
    assert result.exit_code == 0, result.output
    refused = client.get("/api/v1/mitra/registry", headers={"X-API-Key": key})
    assert refused.status_code == 401 and "dicabut" in refused.get_json()["message"]


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_each_key_has_its_own_rate_limit(client, runner, officer, db):
    slow, _a = _issue(runner, limit="2 per minute")
    other, _b = _issue(runner)
    for _ in range(2):
        assert client.get("/api/v1/mitra/registry?batas=1", headers={"X-API-Key": slow}).status_code == 200
    limited = client.get("/api/v1/mitra/registry?batas=1", headers={"X-API-Key": slow})
    assert limited.status_code == 429 and limited.get_json()["code"] == "terlalu_sering"
    assert client.get("/api/v1/mitra/registry?batas=1", headers={"X-API-Key": other}).status_code == 200


def test_the_document_and_a_page_to_read_it(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.") and "/api/v1/mitra/registry" in spec["paths"]
    assert spec["paths"]["/api/v1/mitra/registry"]["get"]["security"] == [{"KunciApi": []}]
    page = client.get("/api/v1/")
    assert page.status_code == 200 and "POST /api/v1/cek" in page.get_data(as_text=True)
    assert client.get("/api/v1/tidak-ada").get_json()["code"] == "tidak_ditemukan"
