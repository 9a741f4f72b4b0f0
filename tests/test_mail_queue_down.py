"""Redis down (issue 14, item 9): the code is not lost, the person is told
it is delayed, the operator reads one log line (not a traceback per message
or per second), and the code goes out when Redis returns."""

import logging
import os
import socket
import subprocess
import time

import pytest
import redis

from webapp import mail, tasks

from .conftest import AkunActions
from .test_mail import run_queue


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT = free_port()
URL = f"redis://127.0.0.1:{PORT}/0"


def start_redis():
    process = subprocess.Popen(["redis-server", "--port", str(PORT), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis.from_url(URL)
    for _ in range(100):
        try:
            client.ping()
            return process
        except redis.ConnectionError:
            time.sleep(0.05)
    process.kill()
    pytest.fail("redis-server did not start")


def stop(process):
    process.terminate()
    process.wait(10)


@pytest.mark.app_config(REDIS_URL=URL, HUEY_IMMEDIATE=False, RATELIMIT_STORAGE_URI="memory://")
def test_codes_wait_while_redis_is_down_and_go_out_when_it_returns(app, client, mail_outbox, caplog,
                                                                   monkeypatch):
    # A fresh worker: it has not reported an outage yet (an earlier test's may linger).
    monkeypatch.setitem(mail._queue_down, "reported", False)
    server = start_redis()
    try:
        stop(server)
        with app.app_context():
            assert tasks.queue_reachable() is False
        akun = AkunActions(client)
        caplog.set_level(logging.INFO)
        response = akun.register()
        assert response.status_code == 302
        page = client.get("/akun/verifikasi").get_data(as_text=True)
        assert "tertunda" in page and "Kode Anda tidak hilang" in page
        resend = client.post("/akun/verifikasi", data={"csrf_token": akun.csrf("/akun/verifikasi"),
                                                       "kirim_ulang": "1"})
        assert resend.status_code == 200  # too soon, or delayed: either way no 500
        with app.app_context():
            for n in range(3):
                assert mail.send_mail(f"warga{n}@example.com", "Uji", "isi") is False
        pending = os.listdir(os.path.join(app.instance_path, "outbox", "pending"))
        assert len(pending) == 4
        said = [r for r in caplog.records if "queue unreachable" in r.getMessage()]
        assert len(said) == 1 and said[0].exc_info is None
        assert mail_outbox.messages == []  # nothing delivered, nothing lost

        server = start_redis()  # Redis returns
        with app.app_context():
            assert tasks.queue_reachable() is True
            assert mail.flush_pending() == 4  # what the every-minute task does
            run_queue(app.extensions["huey"])  # the consumer's work
        assert os.listdir(os.path.join(app.instance_path, "outbox", "pending")) == []
        bodies = [m.get_content() for m in mail_outbox.messages]
        codes = [w for b in bodies for w in b.split() if w.isdigit() and len(w) == 6]
        assert len(bodies) == 4 and codes  # the confirmation code reached the outbox
        assert "tertunda" not in client.get("/akun/verifikasi").get_data(as_text=True)
    finally:
        stop(server)


def test_the_consumer_logs_an_outage_once():
    flt = tasks.QueueDownOnce()

    def record():
        try:
            raise redis.ConnectionError("Connection refused")
        except redis.ConnectionError:
            import sys

            return logging.LogRecord("huey.consumer", logging.ERROR, __file__, 1, "Error reading from queue",
                                     (), sys.exc_info())

    first, second = record(), record()
    assert flt.filter(first) and first.exc_info is None and "unreachable" in first.getMessage()
    assert not flt.filter(second)
    flt.recovered()
    assert flt.filter(record())
