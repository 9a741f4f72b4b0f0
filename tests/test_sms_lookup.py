"""Cek Bansos by SMS (webapp.sms): an SMS from a phone goes through a real
Kannel (bearerbox + smsbox + fakesmsc) to the app's /sms/masuk, and the
reply comes back to the SMSC; plus direct HTTP tests of the endpoint, the
GSM-7 fit, the limits and the officers' page."""

import base64
import threading
from datetime import datetime, timedelta

import pytest
from werkzeug.serving import make_server

from webapp import clock, create_app
from webapp.db import close_all, flask_db
from webapp.identity import mask_name
from webapp.registry.models import Person
from webapp.sms import gsm
from webapp.sms.models import SmsLookup
from webapp.usulan.models import Proposal

from . import kannel as gateway_mod
from .conftest import _config, synthetic_nik
from .dbbackend import backend
from .test_petugas_support import DESA, Officer, citizen, sent_proposal

SECRET = "rahasia-sms-uji"
OFFICE = "1234"
NOT_IN_REGISTRY = synthetic_nik(born="150890", serial="9999")


def auth(secret=SECRET):
    return {"Authorization": "Basic " + base64.b64encode(f"kannel:{secret}".encode()).decode()}


def post(client, text, sender="6281200000001", secret=SECRET, **headers):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return client.post("/sms/masuk", data=data, content_type="text/plain; charset=UTF-8",
                       headers={**auth(secret), "X-Kannel-From": sender, **headers})


def reply(response):
    assert response.status_code == 200, response.status_code
    text = response.get_data(as_text=True)
    assert gsm.septets(text) is not None, f"not GSM-7: {text!r}"
    assert gsm.parts(text) <= 2, text
    return text


# --- GSM-7 fit -----------------------------------------------------------

def test_gsm7_parts_count_septets_and_the_extension_table():
    assert gsm.parts("a" * 160) == 1 and gsm.parts("a" * 161) == 2
    assert gsm.parts("a" * 306) == 2 and gsm.parts("a" * 307) == 3
    assert gsm.parts("€" * 80) == 1 and gsm.parts("€" * 81) == 2  # two septets each
    assert gsm.parts("日" * 70) == 1 and gsm.parts("日" * 71) == 2  # UCS-2


def test_fit_makes_gsm7_and_cuts_at_a_word_within_two_parts():
    assert gsm.fit("Januari–Maret “YA” ’") == 'Januari-Maret "YA" \''
    assert gsm.fit("ā 日") == "a ?"
    long = gsm.fit("bantuan " * 100)
    assert gsm.parts(long) == 2 and long.endswith("bantuan..") and gsm.septets(long) <= 306
    assert gsm.parts(gsm.fit("x" * 1000)) == 2
    assert gsm.fit("pendek") == "pendek"


# --- the endpoint, directly ---------------------------------------------

@pytest.fixture
def sms_client(app):
    app.config.update(SMS_SERVICE_SECRET=SECRET)
    return app.test_client()


def test_off_without_a_secret_and_refused_without_it_or_from_elsewhere(app, client):
    assert post(client, "BANTUAN").status_code == 404
    app.config.update(SMS_SERVICE_SECRET=SECRET)
    assert post(client, "BANTUAN", secret="salah").status_code == 401
    assert client.post("/sms/masuk", data=b"BANTUAN", headers={"X-Kannel-From": "62812"}).status_code == 401
    app.config.update(SMS_GATEWAY_ADDRESSES=("10.0.0.5",))
    assert post(client, "BANTUAN").status_code == 403
    with app.app_context():
        assert SmsLookup.select().count() == 0


def test_found_gives_masked_name_desil_and_programs(sms_client, registry_person):
    text = reply(post(sms_client, f"cek {registry_person.nik}"))
    assert mask_name(registry_person.name) in text
    assert registry_person.nik not in text and registry_person.name.upper() not in text
    assert "desil" in text and (" YA" in text) and "PKH" in text


def test_not_found_says_so_and_what_to_do(sms_client):
    text = reply(post(sms_client, f"CEK {NOT_IN_REGISTRY}"))
    assert "tidak ada dalam data penerima bantuan" in text and "kantor desa" in text


@pytest.mark.parametrize(("body", "expected"), [
    ("CEK 327606150890000", "16 digit"),                  # 15 digits
    ("CEK 32760615089O0001", "hanya berisi angka"),       # a letter O
    ("CEK", "Masukkan NIK"),
    ("CEK ３２７６０６１５０８９００００１", "hanya berisi angka"),  # full-width digits
    ("", "Pesan kosong"),
    ("HALO", "Perintah tidak dikenal"),
    ("Ωμέγα ✓ 😀", "Perintah tidak dikenal"),
    ("A" * 1000, "terlalu panjang"),
    ("STATUS", "Format: STATUS"),
    ("STATUS USL-AAAA-BBBB 31021990", "ddmmyyyy"),
])
def test_bad_input_gets_a_short_helpful_reply(sms_client, body, expected):
    text = reply(post(sms_client, body))
    assert expected in text, text
    assert "BANTUAN" in text or "CEK" in text or "STATUS" in text


def test_help_lists_the_commands(sms_client):
    text = reply(post(sms_client, "bantuan"))
    assert all(word in text for word in ("CEK", "STATUS", "BANTUAN"))


def test_status_uses_the_public_proposal_check(app, sms_client):
    pid = sent_proposal(app, citizen(app, email="warga.sms@example.com"))
    with app.app_context():
        proposal = Proposal.get(Proposal.public_id == pid)
    born = proposal.birth_date.strftime("%d%m%Y")
    text = reply(post(sms_client, f"STATUS {proposal.receipt_no} {born}"))
    assert proposal.receipt_no in text
    wrong = (proposal.birth_date + timedelta(days=1)).strftime("%d%m%Y")
    assert "tidak ditemukan" in reply(post(sms_client, f"STATUS {proposal.receipt_no} {wrong}"))


@pytest.mark.app_config(SMS_LOOKUP_LIMIT="3 per hour;10 per day")
def test_the_hourly_limit_refuses_once_then_stays_silent(sms_client):
    for _ in range(3):
        assert "Kirim" in reply(post(sms_client, "BANTUAN"))
    assert "Batas SMS" in reply(post(sms_client, "BANTUAN"))
    assert reply(post(sms_client, "BANTUAN")) == ""  # told once; no more credit spent
    assert "Kirim" in reply(post(sms_client, "BANTUAN", sender="6281200000002"))  # another number


@pytest.mark.app_config(SMS_LOOKUP_MAX_NIKS=3, SMS_LOOKUP_LIMIT="50 per hour")
def test_a_number_walking_through_niks_is_refused(sms_client, registry_person):
    for serial in ("9001", "9002", "9003"):
        assert "tidak ada" in reply(post(sms_client, f"CEK {synthetic_nik(serial=serial)}"))
    assert "terlalu banyak NIK" in reply(post(sms_client, f"CEK {registry_person.nik}"))
    assert "tidak ada" in reply(post(sms_client, f"CEK {synthetic_nik(serial='9001')}"))  # one already asked


def test_the_day_counts_only_the_last_24_hours(app, db):
    from webapp.sms import services

    app.config.update(SMS_LOOKUP_LIMIT="2 per day")
    with app.test_request_context():
        old = datetime(2026, 1, 1, 8)
        for _ in range(2):
            assert services.answer("6281", "BANTUAN", now=old)[0] == services.HELP
        assert services.answer("6281", "BANTUAN", now=old + timedelta(hours=23))[0] == services.LIMITED
        assert services.answer("6281", "BANTUAN", now=old + timedelta(hours=25))[0] == services.HELP


# --- the officers' page -----------------------------------------------

@pytest.mark.app_config(SMS_LOOKUP_LIMIT="1 per hour")
def test_officers_see_volume_and_refused_number_hashes(app, runner, sms_client, registry_person):
    post(sms_client, f"CEK {registry_person.nik}", sender="6281277770000")
    post(sms_client, "BANTUAN", sender="6281277770000")
    from webapp.sms.services import number_key

    with app.app_context():
        key = number_key("6281277770000")
    officer = Officer(app, runner, "pusat.sms@contoh.test", "pusat").sign_in()
    html = officer.get("/petugas/sms").get_data(as_text=True)
    assert key[:12] in html and "6281277770000" not in html and registry_person.nik not in html
    assert clock.today().strftime("%d-%m-%Y") in html or datetime.utcnow().strftime("%d-%m-%Y") in html
    assert 'href="/petugas/sms"' in html
    verifikator = Officer(app, runner, "verif.sms@contoh.test", "dinsos_verifikator", "32.76").sign_in()
    assert key[:12] in verifikator.get("/petugas/sms").get_data(as_text=True)
    for email, role, region in (("operator.sms@contoh.test", "operator_desa", DESA),
                                ("pemda.sms@contoh.test", "pemda", "32.76")):
        other = Officer(app, runner, email, role, region).sign_in()
        assert other.get("/petugas/sms").status_code == 403
        dashboard = other.get("/petugas/")
        assert dashboard.status_code == 200 and 'href="/petugas/sms"' not in dashboard.get_data(as_text=True)


def test_flask_purge_forgets_old_sms_lookups(app, db):
    from webapp.retention import purge
    from webapp.sms import services

    with app.test_request_context():
        now = datetime.utcnow()
        services.answer("6281266660001", "BANTUAN", now=now - timedelta(days=31))
        services.answer("6281266660001", "BANTUAN", now=now - timedelta(days=2))
        assert purge(now_utc=now)["sms_cek"] == 1
        assert SmsLookup.select().count() == 1


# --- through the real Kannel -------------------------------------------

@pytest.fixture(scope="module")
def served(template_instance, tmp_path_factory):
    """The app on its own database copy, served over HTTP in a thread (the
    gateway's sms-service posts to it)."""
    if not gateway_mod.available():
        pytest.skip(gateway_mod.missing_message())
    instance = tmp_path_factory.mktemp("sms-instance")
    database = backend.clone(template_instance, instance)
    app = create_app(_config(instance, SMS_SERVICE_SECRET=SECRET, SMS_LOOKUP_MAX_NIKS=2,
                             SMS_LOOKUP_LIMIT="4 per hour;20 per day", **database))
    own_db = flask_db.database.obj  # the proxy follows the newest app; close this one's pool
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://kannel:{SECRET}@127.0.0.1:{server.server_port}/sms/masuk"
    server.shutdown()
    close_all(own_db)
    backend.drop(database)


@pytest.fixture(scope="module")
def phone_gateway(served, tmp_path_factory):
    running = gateway_mod.Gateway(tmp_path_factory.mktemp("kannel-mo"), sms_service_url=served[1],
                                  send_interval=0.05).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def a_person(served):
    app, _url = served
    with app.app_context():
        from webapp.registry.demo import examples

        _name, nik, _desa, _desa_name = examples(limit=1)[0]
        return Person.get(Person.nik == nik)


def sms_round_trip(gateway, phone, text):
    if len(text) > 160:  # as a phone sends it: in concatenated parts
        gateway.send_long_from_phone(phone, OFFICE, text)
    else:
        gateway.send_from_phone(phone, OFFICE, text)
    [got] = gateway.wait_for(phone, count=1)
    gateway.clear()
    assert got.parts <= 2 and gsm.parts(got.text) == got.parts and got.sender == OFFICE
    return got.text


def test_through_kannel_found_not_found_and_bad_nik(phone_gateway, a_person):
    found = sms_round_trip(phone_gateway, "6281311110001", f"CEK {a_person.nik}")
    assert mask_name(a_person.name) in found and a_person.nik not in found
    assert "tidak ada dalam data" in sms_round_trip(phone_gateway, "6281311110002", f"CEK {NOT_IN_REGISTRY}")
    assert "16 digit" in sms_round_trip(phone_gateway, "6281311110003", "CEK 327606150890000")
    logs = phone_gateway.logs()
    # Kannel's access log names numbers (the operator bills by them), never a NIK or a text.
    assert a_person.nik not in logs and "CEK" not in logs and mask_name(a_person.name) not in logs


def test_through_kannel_rate_limited_and_nik_walking(phone_gateway):
    for _ in range(4):
        sms_round_trip(phone_gateway, "6281322220001", "BANTUAN")
    assert "Batas SMS" in sms_round_trip(phone_gateway, "6281322220001", "BANTUAN")
    for serial in ("8001", "8002"):
        sms_round_trip(phone_gateway, "6281322220002", f"CEK {synthetic_nik(serial=serial)}")
    assert "terlalu banyak NIK" in sms_round_trip(phone_gateway, "6281322220002",
                                                  f"CEK {synthetic_nik(serial='8003')}")


def test_through_kannel_status_and_help(served, phone_gateway):
    app, _url = served
    pid = sent_proposal(app, citizen(app, email="warga.sms.kannel@example.com"))
    with app.app_context():
        proposal = Proposal.get(Proposal.public_id == pid)
    born = proposal.birth_date.strftime("%d%m%Y")
    text = sms_round_trip(phone_gateway, "6281333330001", f"STATUS {proposal.receipt_no} {born}")
    assert proposal.receipt_no in text and "diperbarui" in text
    help_text = sms_round_trip(phone_gateway, "6281333330002", "BANTUAN")
    assert all(word in help_text for word in ("CEK", "STATUS", "BANTUAN"))


@pytest.mark.parametrize(("number", "body", "expected"), [
    ("6281344440001", "HALO APA KABAR", "Perintah tidak dikenal"),
    ("6281344440002", "CEK 327606150890000", "16 digit"),
    ("6281344440003", "CEK 32760615089O0001", "hanya berisi angka"),
    ("6281344440004", "Ωμέγα ✓ 😀 cek", "Perintah tidak dikenal"),
    ("6281344440005", "", "Pesan kosong"),
    ("6281344440006", "A" * 1000, "terlalu panjang"),
])
def test_through_kannel_bad_input_gets_a_short_helpful_reply(phone_gateway, number, body, expected):
    text = sms_round_trip(phone_gateway, number, body)
    assert expected in text and ("BANTUAN" in text or "Contoh: CEK" in text), text


def test_through_kannel_nothing_personal_is_logged(phone_gateway, a_person, caplog):
    caplog.set_level("INFO")  # webapp.logs.config's level (DEBUG has peewee's SQL with its values)
    found = sms_round_trip(phone_gateway, "6281355550001", f"CEK {a_person.nik}")
    assert mask_name(a_person.name) in found
    sms_round_trip(phone_gateway, "6281355550002", f"CEK {NOT_IN_REGISTRY}")
    app_logs = "\n".join(record.getMessage() for record in caplog.records)
    assert "sms lookup outcome=ditemukan" in app_logs  # the app did log the lookup...
    for secret in (a_person.nik, NOT_IN_REGISTRY, a_person.name, mask_name(a_person.name),
                   "6281355550001", SECRET):
        assert secret not in app_logs, secret  # ...but not who asked, what, or the answer
        if secret not in ("6281355550001",):  # Kannel's access log names numbers (billing)
            assert secret not in phone_gateway.logs(), secret
