"""Logging configured once (gunicorn logconfig_dict): one line per event with
time, level, host and request id, the app's INFO lines kept, nothing personal
(the log scan); and /healthz for a proxy or orchestrator."""

import logging
import re
import urllib.error
import urllib.request

import pytest

from webapp import logs

from . import logscan
from .conftest import CAPTCHA, PASSWORD
from .server import HttpClient, start_server

LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) "
                  r"(?P<host>\S+) (?P<rid>[A-Za-z0-9._-]+) (?P<logger>[\w.]+): ")


@pytest.fixture(scope="module")
def served(template_instance, tmp_path_factory):
    with start_server(template_instance, tmp_path_factory, workers=1) as server:
        yield server


def _get(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - http on loopback
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_every_line_of_the_served_app_has_time_level_host_and_request_id(served):
    client = HttpClient(served.url)
    csrf, token = client.form("/?mode=nik")
    client.post("/", {"csrf_token": csrf, "captcha_token": token, "captcha": CAPTCHA, "mode": "nik",
                      "nik": "3276061508900007"})
    csrf, _ = client.form("/akun/masuk")
    client.post("/akun/masuk", {"csrf_token": csrf, "identitas": "warga.contoh@example.com",
                                "password": PASSWORD})
    status, headers, _body = _get(served.url + "/healthz", {"X-Request-ID": "uji-permintaan-42"})
    assert headers["X-Request-ID"] == "uji-permintaan-42"
    _get(served.url + "/", {"X-Request-ID": "<script>"})  # not a sane id: one is made instead

    lines = [ln for ln in (served.instance / "gunicorn.log").read_text().splitlines() if ln.strip()]
    assert lines and all(LINE.match(ln) for ln in lines), [ln for ln in lines if not LINE.match(ln)][:3]
    hosts = {LINE.match(ln)["host"] for ln in lines}
    assert hosts == {logs.host_name()}
    loggers = {LINE.match(ln)["logger"] for ln in lines}
    assert "gunicorn.error" in loggers and "gunicorn.access" in loggers
    assert any(name.startswith("webapp") for name in loggers), "the app's INFO lines reach the log"
    access = [ln for ln in lines if "gunicorn.access" in ln]
    assert any('"GET /healthz"' in ln and "rid=uji-permintaan-42" in ln for ln in access)
    assert not any("<script>" in ln for ln in lines)
    # The person's NIK and password were sent: neither is in any line.
    assert not logscan.problems_in(lines, {PASSWORD})
    assert not any("3276061508900007" in ln for ln in lines)


def test_the_formatter_keeps_one_line_and_blanks_a_nik():
    formatter = logs.OneLineFormatter(logs.FORMAT)
    record = logging.LogRecord("webapp.x", logging.ERROR, __file__, 1, "NIK %s ditolak\nbaris dua",
                               ("3276061508900007",), None)
    logs.ContextFilter().filter(record)
    text = formatter.format(record)
    assert "\n" not in text and "3276061508900007" not in text and "[16 digit]" in text
    assert LINE.match(text)
    assert logscan.problems_in([text], set()) == []


def test_healthz_says_what_answers(served):
    status, headers, body = _get(served.url + "/healthz")
    assert status == 200 and headers["Cache-Control"] == "no-store"
    assert body == b'{"antrean":"ok","basis_data":"ok","redis":"tidak dipakai","status":"ok"}\n'


@pytest.mark.app_config(REDIS_URL="redis://127.0.0.1:6379/15", HUEY_IMMEDIATE=False)
def test_healthz_with_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {
        "status": "ok", "basis_data": "ok", "redis": "ok", "antrean": "ok"}


@pytest.mark.app_config(REDIS_URL="redis://127.0.0.1:1/0", HUEY_IMMEDIATE=False)
def test_healthz_is_503_when_redis_and_the_queue_are_down(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "gagal", "basis_data": "ok", "redis": "gagal", "antrean": "gagal"}


def test_healthz_is_503_when_the_database_is_down(tmp_path):
    from webapp import create_app

    from .conftest import _config

    app = create_app(_config(tmp_path, DATABASE_URL="postgresql://postgres@127.0.0.1:1/tidakada"))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.json["basis_data"] == "gagal"
    assert response.json["status"] == "gagal"
