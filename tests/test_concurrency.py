"""Several gunicorn workers on one SQLite file (SECURITY.md 27), and a worker
killed in the middle of an upload (SECURITY.md 28)."""

import os
import signal
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from webapp import create_app
from webapp.db import close_all

from .conftest import CAPTCHA, PASSWORD, new_account, registration_data, synthetic_nik
from .dbbackend import NAME
from .server import HttpClient, start_server

pytestmark = pytest.mark.skipif(NAME != "sqlite", reason="the SQLite write path is what this tests")

WORKERS = 4
REGISTRATIONS = 10
LOOKUPS = 24
PROPOSALS = 8


@pytest.fixture(scope="module")
def server(template_instance, tmp_path_factory):
    with start_server(template_instance, tmp_path_factory, workers=WORKERS) as served:
        yield served


def _register(server, i):
    person = HttpClient(server.url)
    csrf, _ = person.form("/akun/daftar")
    data = registration_data(csrf, nik=synthetic_nik(serial=f"{7000 + i:04d}"),
                             email=f"serentak{i}@example.com")
    return person.post("/akun/daftar", data)


def _lookup(server, nik):
    person = HttpClient(server.url)
    csrf, token = person.form("/?mode=nik")
    return person.post("/", {"csrf_token": csrf, "captcha_token": token, "captcha": CAPTCHA,
                             "mode": "nik", "nik": nik})


def _propose(server, i):
    person = HttpClient(server.url)
    csrf, _ = person.form("/akun/masuk")
    person.post("/akun/masuk", {"csrf_token": csrf, "identitas": f"usul{i}@example.com",
                                "password": PASSWORD})
    csrf, _ = person.form("/usulan/")
    return person.post("/usulan/", {"csrf_token": csrf, "no_kk": f"32760601011{i + 1:05d}",
                                    "nik": synthetic_nik(born="170875", serial=f"{8000 + i:04d}")})


def test_concurrent_writes_are_all_kept_and_none_fails(server):
    app = create_app(server.config)
    with app.app_context():
        from webapp.captcha.models import UsedNonce
        from webapp.registry.demo import examples

        for i in range(PROPOSALS):
            new_account(nik=synthetic_nik(serial=f"{6000 + i:04d}"), email=f"usul{i}@example.com")
        nik = examples(limit=1)[0][1]
        nonces_before = UsedNonce.select().count()
        close_all()

    jobs = ([("daftar", i) for i in range(REGISTRATIONS)] + [("cek", i) for i in range(LOOKUPS)]
            + [("usul", i) for i in range(PROPOSALS)])

    def run(job):
        kind, i = job
        if kind == "daftar":
            return kind, _register(server, i)
        if kind == "cek":
            return kind, _lookup(server, nik)
        return kind, _propose(server, i)

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(run, jobs))

    for kind, (status, html) in results:
        assert status < 500, (kind, status)
        assert "database is locked" not in html
    assert all(status == 200 for kind, (status, _h) in results if kind == "cek")

    with app.app_context():
        from webapp.akun.models import Account
        from webapp.captcha.models import UsedNonce
        from webapp.usulan.models import Proposal

        registered = Account.select().where(Account.email.startswith("serentak")).count()
        drafts = Proposal.select().where(Proposal.no_kk.startswith("32760601011")).count()
        nonces = UsedNonce.select().count() - nonces_before
        close_all()
    assert registered == REGISTRATIONS
    assert drafts == PROPOSALS
    assert nonces == LOOKUPS
    print(f"\nconcurrent writes: {len(jobs)} requests on {WORKERS} workers, "
          f"{registered} accounts, {drafts} drafts, {nonces} captcha nonces found")


def test_killing_a_worker_mid_upload_leaves_nothing_half_written(template_instance, tmp_path_factory):
    with start_server(template_instance, tmp_path_factory, workers=1) as served:
        app = create_app(served.config)
        with app.app_context():
            account = new_account(state="melengkapi foto")
            close_all()
        person = HttpClient(served.url)
        csrf, _ = person.form("/akun/masuk")
        person.post("/akun/masuk", {"csrf_token": csrf, "identitas": account.email, "password": PASSWORD})
        csrf, _ = person.form("/akun/foto")
        cookie = "; ".join(f"{c.name}={c.value}" for c in person.cookies)
        host, port = served.url.removeprefix("http://").split(":")
        boundary = "batas"
        head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{csrf}\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"berkas\"; filename=\"ktp.jpg\"\r\n"
                "Content-Type: image/jpeg\r\n\r\n").encode()
        with socket.create_connection((host, int(port))) as sock:
            # Announce 3 MB, send a sixth of it, then kill the worker reading it.
            sock.sendall((f"POST /akun/foto/ktp HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\n"
                          f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                          f"Content-Length: {len(head) + 3_000_000}\r\n\r\n").encode()
                         + head + b"\xff\xd8" + b"\0" * 500_000)
            time.sleep(0.5)
            workers = _children(served.pid)
            assert workers, "no gunicorn worker found"
            for pid in workers:
                os.kill(pid, signal.SIGKILL)
        time.sleep(1)
        uploads_dir = served.instance / "uploads"
        in_place = [p for p in uploads_dir.rglob("*") if p.is_file() and not p.name.startswith(".")] \
            if uploads_dir.exists() else []
        with app.app_context():
            from webapp import uploads
            from webapp.akun.models import Photo

            for photo in Photo.select():
                assert os.path.exists(uploads.path_of(photo.name)), "a row points at a missing file"
            assert not Photo.select().where(Photo.account == account.id).exists()
            close_all()
        assert in_place == [], f"a file is in place after the worker died: {in_place}"
        # The master starts a new worker and the site answers again.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if HttpClient(served.url).get("/")[0] == 200:
                break
            time.sleep(0.2)
        else:
            raise AssertionError("the site did not come back after the worker was killed")


def _children(parent):
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/stat") as f:
                    if int(f.read().rsplit(") ", 1)[1].split()[1]) == parent:
                        found.append(int(pid))
            except (OSError, IndexError, ValueError):
                continue
    return found
