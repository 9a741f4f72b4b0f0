"""Two app hosts, one service (issue 18): two gunicorn servers with their own
instance/ folders, each in its own network namespace (veth to this one; two
loopback addresses where namespaces cannot be made), behind nginx
round-robin with deploy/nginx.conf's settings, sharing one PostgreSQL and
one Redis, and one huey consumer on host 2. Every request of the journey
goes to the other host than the one before (nginx tells which in
X-Upstream). Then host 1 is killed (SIGKILL) under load: host 2 keeps
serving and every write acknowledged before, during and after is there.

Needs root (ip netns), nginx, PostgreSQL and Redis; under CI=true a missing
one fails instead of skipping. Runs in the SQLite pass of `make test` only
(it brings its own PostgreSQL database either way)."""

import base64
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest
from PIL import Image

from webapp import clock

from .conftest import CAPTCHA, PASSWORD, registration_data
from .dbbackend import NAME as BACKEND
from .dbbackend import PG_URL
from .netns import forward, make_places
from .smtp import running_smtp_server
from .test_petugas_support import DESA, KK, NIK, OFFICER_PASSWORD, WIFE_NIK, jpeg

ROOT = Path(__file__).resolve().parents[1]
SECRET = "two-hosts-shared-secret-key-for-the-test"
# One keyring for both hosts (webapp.crypto): a photo or TOTP secret sealed on
# one host opens on the other. Made per run.
KEYS = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
# One keyring for both hosts (webapp.crypto): a photo or TOTP secret sealed on
# one host opens on the other. Made per run, never written into a repository.
KEYS = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
REDIS_DB = 10 + os.getpid() % 6  # a database of its own: no other test's queue meets this consumer
# Journey steps allowed to fail, with the reason (none: every step must pass
# now that uploads, the import file, the queue and the outbox are shared).
NEEDS_SHARED_STATE = {}


def _missing():
    if os.geteuid() != 0:
        return "root is needed for ip netns"
    if not shutil.which("nginx"):
        return "nginx is not installed"
    try:
        import psycopg
        import redis

        psycopg.connect(f"{PG_URL}/postgres", connect_timeout=2).close()
        redis.Redis(host="127.0.0.1", port=6379, socket_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001 - any reason: say it
        return f"PostgreSQL or Redis not reachable: {exc}"
    return None


def _free_port(address="127.0.0.1"):
    with socket.socket() as s:
        s.bind((address, 0))
        return s.getsockname()[1]


def _wait_for(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _nginx_conf(tmp, port, upstreams):
    """deploy/nginx.conf's HTTPS server block (its proxy, compression and
    static settings) on plain HTTP at 127.0.0.1:port, the upstream block
    naming the two hosts, and X-Upstream saying which host answered. Its
    worker runs as root (the test is root) to use the test's temporary folders."""
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    upstream = re.search(r"upstream cekbansos \{.*?\n\}", text, re.S).group(0)
    servers = "".join(f"    server {u};\n" for u in upstreams)
    upstream = re.sub(r"\n    server [^\n]*;", "", upstream).replace("{\n", "{\n" + servers, 1)
    block = re.search(r"server \{\s*(?:#[^\n]*\n\s*)*listen 443.*?\n\}", text, re.S).group(0)
    block = re.sub(r"listen 443[^;]*;", f"listen 127.0.0.1:{port};", block)
    block = re.sub(r"\n\s*(http2 on|ssl_certificate(_key)?\s[^;]*);", "", block)
    block = block.replace("client_max_body_size", "add_header X-Upstream $upstream_addr always;\n"
                                                   "    client_max_body_size", 1)
    return f"""worker_processes 1;
user root;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log;
events {{ worker_connections 512; }}
http {{
    access_log {tmp}/nginx-access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
{upstream}
{block}
}}
"""


class Hosts:
    """The running installation: nginx at `url`, hosts[0] and hosts[1]."""

    def __init__(self, url, places, procs, database_url, instances):
        self.url, self.places, self.procs = url, places, procs
        self.database_url, self.instances = database_url, instances
        self.upstreams = [f"{p.address}:{p.port}" for p in places]
        self.trail = []  # the host of every response, in order
        self.alternating = True  # off once a host is killed

    def session(self):
        import requests

        s = requests.Session()
        s.hooks["response"].append(self._seen)
        return s

    def _seen(self, response, *args, **kwargs):
        host = response.headers.get("X-Upstream", "")
        if self.alternating and self.trail:
            assert host != self.trail[-1], f"two requests in a row on {host}: {response.url}"
        self.trail.append(host)

    def next_host(self):
        """0 or 1: the host the next request goes to."""
        return 1 - self.upstreams.index(self.trail[-1]) if self.trail else 0

    def land_next_on(self, s, host):
        """A harmless request when needed, so the next one lands on `host`."""
        if self.next_host() != host:
            s.get(self.url + "/akun/masuk")


def _app_config(place, database_url, redis_url, smtp_port):
    return "\n".join([
        f"SECRET_KEY = {SECRET!r}", f"ENCRYPTION_KEYS = {KEYS!r}", f"DATABASE_URL = {database_url!r}",
        f"REDIS_URL = {redis_url!r}",
        "TESTING = True  # for CAPTCHA_TEST_ANSWER only", "HUEY_IMMEDIATE = False",
        f"CAPTCHA_TEST_ANSWER = {CAPTCHA!r}", "RATELIMIT_ENABLED = False", "TRUSTED_PROXY_COUNT = 1",
        f"SMTP_HOST = {place.gateway!r}", f"SMTP_PORT = {smtp_port}", "CACHE_CHECK_SECONDS = 1",
        "UPLOAD_STORAGE = 'database'  # photos in PostgreSQL, seen by both hosts", ""])


def _prepare_database(database_url, instance):
    """Schema, every region, a small registry, four officers (with their
    TOTP secrets) and a citizen's sent proposal, as any host's setup would."""
    from webapp import create_app
    from webapp.db import close_all, flask_db
    from webapp.migrations import create_schema
    from webapp.registry.demo import Generator, examples
    from webapp.registry.regions import load_regions

    from .test_petugas_support import citizen, create_officer

    app = create_app({"SECRET_KEY": SECRET, "ENCRYPTION_KEYS": KEYS, "INSTANCE_PATH": str(instance),
                      "DATABASE_URL": database_url,
                      "TESTING": True})
    with app.app_context():
        create_schema()
        load_regions()
        Generator(seed=11).run(120)
        example = examples(limit=1)[0]
        flask_db.database.close()
    runner = app.test_cli_runner()
    officers = {}
    for role, region in (("operator_desa", DESA), ("dinsos_verifikator", "32.76"), ("pemda", "32.76"),
                         ("pusat", "")):
        email = f"{role}@contoh.test"
        officers[role] = (email, create_officer(runner, email, role, region))
    account = citizen(app, email="warga.foto@example.com", nik="3276064408850006", state="melengkapi foto")
    citizen(app, email="warga.usul@example.com", nik="3276061212820009")
    with app.app_context():
        close_all()
    return {"example": example, "officers": officers, "photo_account": account.email}


@pytest.fixture(scope="module")
def hosts(tmp_path_factory):
    if BACKEND != "sqlite":
        pytest.skip("the two-host proof runs once, in the SQLite pass (it brings its own PostgreSQL)")
    missing = _missing()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(missing)
        pytest.skip(missing)
    import psycopg

    tmp = tmp_path_factory.mktemp("two-hosts")
    dbname = f"cb2h_{os.getpid()}"
    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{dbname}"')
    import redis

    redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB).flushdb()
    places, cleanup = make_places(2)
    forwarders, procs, nginx, logs = [], [], None, []
    try:
        with running_smtp_server() as smtp:
            setup = _prepare_database(f"{PG_URL}/{dbname}", tmp / "setup-instance")
            instances = []
            for i, place in enumerate(places):
                place.port = 8000 if place.netns else _free_port(place.address)
                if place.netns:  # the shared services, seen from inside the namespace
                    for port, target in ((5432, 5432), (6379, 6379), (2525, smtp.port)):
                        forwarders.append(forward(place.gateway, port, target))
                    db_url = f"postgresql://postgres@{place.gateway}:5432/{dbname}"
                    redis_url = f"redis://{place.gateway}:6379/{REDIS_DB}"
                    smtp_port = 2525
                else:
                    db_url, smtp_port = f"{PG_URL}/{dbname}", smtp.port
                    redis_url = f"redis://127.0.0.1:6379/{REDIS_DB}"
                instance = tmp / f"host{i + 1}" / "instance"
                instance.mkdir(parents=True)
                (instance / "config.py").write_text(_app_config(place, db_url, redis_url, smtp_port))
                instances.append(instance)
                env = {k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN", "FLASK_"))}
                env.update(CEKBANSOS_INSTANCE=str(instance), PYTHONPATH=str(ROOT))
                log = open(instance / "gunicorn.log", "wb")  # noqa: SIM115 - closed at the end
                logs.append(log)
                procs.append(subprocess.Popen(
                    place.command([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-w", "2",
                                   "-b", f"{place.address}:{place.port}", "tests.twohosts_app:app"]),
                    cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                    start_new_session=True))
                if i == 1:  # the one consumer, on host 2
                    qlog = open(instance / "consumer.log", "wb")  # noqa: SIM115
                    logs.append(qlog)
                    procs.append(subprocess.Popen(
                        place.command([sys.executable, "-m", "huey.bin.huey_consumer",
                                       "tests.twohosts_app.huey", "--workers", "2"]),
                        cwd=ROOT, env=env, stdout=qlog, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                        start_new_session=True))
            port = _free_port()
            upstreams = [f"{p.address}:{p.port}" for p in places]
            (tmp / "nginx.conf").write_text(_nginx_conf(tmp, port, upstreams))
            logs.append(open(tmp / "nginx.out", "wb"))  # noqa: SIM115
            nginx = subprocess.Popen(["nginx", "-c", str(tmp / "nginx.conf"), "-p", str(tmp)],
                                     stdout=subprocess.DEVNULL, stderr=logs[-1],
                                     stdin=subprocess.DEVNULL, start_new_session=True)
            installation = Hosts(f"http://127.0.0.1:{port}", places, procs, f"{PG_URL}/{dbname}", instances)
            installation.setup, installation.smtp = setup, smtp
            import requests

            _wait_for(lambda: _answers(requests, installation.url), 40, "the hosts to start")
            _wait_for(lambda: len({_answers(requests, installation.url) for _ in range(4)} - {None}) == 2,
                      20, "both hosts behind nginx")
            yield installation
    finally:
        for proc in ([nginx] if nginx else []) + procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in ([nginx] if nginx else []) + procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        for log in logs:
            log.close()
        for server in forwarders:
            server.shutdown()
            server.server_close()
        cleanup()
        with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def _answers(requests, url):
    try:
        response = requests.get(url + "/akun/masuk", timeout=5)
    except requests.RequestException:
        return None
    return response.headers.get("X-Upstream") if response.status_code == 200 else None


def _fields(html):
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    token = re.search(r'name="captcha_token" value="([^"]+)"', html)
    return csrf, token and token.group(1)


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (90, 60), (200, 120, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def _officer_session(hosts, role):
    email, secret = hosts.setup["officers"][role]
    s = hosts.session()
    csrf = _fields(s.get(hosts.url + "/akun/masuk").text)[0]
    r = s.post(hosts.url + "/akun/masuk", data={"csrf_token": csrf, "identitas": email,
                                                "password": OFFICER_PASSWORD}, allow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    csrf = _fields(s.get(hosts.url + "/petugas/masuk/kode").text)[0]
    r = s.post(hosts.url + "/petugas/masuk/kode", data={"csrf_token": csrf, "kode": pyotp.TOTP(secret).now()},
               allow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    return s


def _decide(hosts, s, pid, **extra):
    page = s.get(f"{hosts.url}/petugas/usulan/{pid}").text
    csrf = _fields(page)[0]
    version = re.search(r'name="versi" value="(\d+)"', page).group(1)
    r = s.post(f"{hosts.url}/petugas/usulan/{pid}/putusan",
               data={"csrf_token": csrf, "keputusan": "lanjut", "catatan": "", "versi": version, **extra},
               allow_redirects=False)
    assert r.status_code == 303, r.text[:500]


def _status(hosts, pid):
    import psycopg

    with psycopg.connect(hosts.database_url) as conn:
        return conn.execute("SELECT status FROM proposal WHERE public_id = %s", (pid,)).fetchone()[0]


# -- the journey, step by step ----------------------------------------------------
def step_lookup(hosts):
    s = hosts.session()
    name, _nik, desa, _desa_name = hosts.setup["example"]
    csrf, token = _fields(s.get(hosts.url + "/").text)
    parts = desa.split(".")
    r = s.post(hosts.url + "/", data={"csrf_token": csrf, "captcha_token": token, "captcha": CAPTCHA,
                                      "mode": "nama", "provinsi": parts[0], "kabupaten": ".".join(parts[:2]),
                                      "kecamatan": ".".join(parts[:3]), "desa": desa, "nama": name})
    assert r.status_code == 200 and 'class="status' in r.text, r.text[:500]
    # The same captcha answer a second time is refused, whichever host sees it.
    again = s.post(hosts.url + "/", data={"csrf_token": csrf, "captcha_token": token, "captcha": CAPTCHA,
                                          "mode": "nama", "desa": desa, "nama": name})
    assert 'class="status' not in again.text


def step_registration(hosts):
    s = hosts.session()
    csrf = _fields(s.get(hosts.url + "/akun/daftar").text)[0]
    data = registration_data(csrf, nik="3276065505910001", email="warga.dua.host@example.com")
    r = s.post(hosts.url + "/akun/daftar", data=data, allow_redirects=False)
    assert r.status_code == 302 and r.headers["Location"].endswith("/akun/verifikasi"), r.text[:300]

    def code():  # delivered by the consumer on host 2 to the SMTP server
        for message in hosts.smtp.messages:
            if message["To"] == "warga.dua.host@example.com":
                return re.search(r"\b(\d{6})\b", message.get_content()).group(1)
        return None

    found = _wait_for(code, 30, "the e-mail code")
    csrf = _fields(s.get(hosts.url + "/akun/verifikasi").text)[0]
    r = s.post(hosts.url + "/akun/verifikasi", data={"csrf_token": csrf, "kode": found},
               allow_redirects=False)
    assert r.status_code == 302 and r.headers["Location"].endswith("/akun/foto"), r.text[:300]


def step_photo(hosts):
    s = hosts.session()
    csrf = _fields(s.get(hosts.url + "/akun/masuk").text)[0]
    r = s.post(hosts.url + "/akun/masuk", data={"csrf_token": csrf, "identitas": hosts.setup["photo_account"],
                                                "password": PASSWORD}, allow_redirects=False)
    assert r.status_code == 302, r.text[:300]
    csrf = _fields(s.get(hosts.url + "/akun/foto").text)[0]
    uploaded_on = hosts.next_host()
    r = s.post(hosts.url + "/akun/foto/ktp", data={"csrf_token": csrf},
               files={"berkas": ("ktp.png", _png(), "image/png")}, allow_redirects=False)
    assert r.status_code == 302, r.text[:300]
    page = s.get(hosts.url + "/akun/foto").text
    src = re.search(r'id="foto-ktp".*?<img src="([^"]+)"', page, re.S).group(1)
    hosts.land_next_on(s, 1 - uploaded_on)
    return s, src


def step_photo_other_host(hosts, s, src):
    r = s.get(hosts.url + src)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("image/"), r.status_code


def _citizen_step(hosts, s, pid, name, data, files=None, page="data-diri"):
    csrf = _fields(s.get(f"{hosts.url}/usulan/{pid}/{page}").text)[0]
    r = s.post(f"{hosts.url}/usulan/{pid}/{name}", data={"csrf_token": csrf, **data}, files=files,
               allow_redirects=False)
    assert r.status_code == 303, f"{name}: {r.status_code} {r.text[:300]}"
    return r


def step_citizen_proposal(hosts):
    """A citizen proposes a household through the six steps and sends it."""
    s = hosts.session()
    csrf = _fields(s.get(hosts.url + "/akun/masuk").text)[0]
    r = s.post(hosts.url + "/akun/masuk", data={"csrf_token": csrf, "identitas": "warga.usul@example.com",
                                                "password": PASSWORD}, allow_redirects=False)
    assert r.status_code == 302, r.text[:300]
    csrf = _fields(s.get(hosts.url + "/usulan/").text)[0]
    r = s.post(hosts.url + "/usulan/", data={"csrf_token": csrf, "no_kk": KK, "nik": NIK},
               allow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    pid = re.search(r"/usulan/([^/]+)/data-diri", r.headers["Location"]).group(1)
    _citizen_step(hosts, s, pid, "data-diri", {"name": "Budi Hartono", "birth_place": "Depok",
                                               "birth_date": "17-08-1975", "sex": "L",
                                               "occupation": "Buruh harian lepas"})
    _citizen_step(hosts, s, pid, "anggota/tambah", {
        "nik": WIFE_NIK, "name": "Sri Wahyuni", "relationship": "Istri", "birth_date": "12-03-1980",
        "sex": "P", "occupation": "Ibu rumah tangga"})
    _citizen_step(hosts, s, pid, "anggota", {})
    parts = DESA.split(".")
    _citizen_step(hosts, s, pid, "domisili", {
        "provinsi": parts[0], "kabupaten": ".".join(parts[:2]), "kecamatan": ".".join(parts[:3]),
        "desa": DESA, "street": "Jl. Kenanga 7", "rt": "3", "rw": "5"})
    _citizen_step(hosts, s, pid, "kondisi", {"conditions": ["lansia"], "reason": "Penghasilan tidak tetap"})
    _citizen_step(hosts, s, pid, "program", {"programs": ["PKH", "PBI-JK"]})
    for kind in ("ektp", "kk", "sktm"):
        _citizen_step(hosts, s, pid, "dokumen", {"jenis": kind}, page="dokumen",
                      files={"berkas": (f"{kind}.jpg", jpeg().getvalue(), "image/jpeg")})
    r = _citizen_step(hosts, s, pid, "kirim", {}, page="periksa")
    assert r.headers["Location"].endswith(f"/usulan/{pid}/tanda-terima")
    assert _status(hosts, pid) == "diajukan"
    return pid


def step_proposal(hosts, pid):
    op = _officer_session(hosts, "operator_desa")
    _decide(hosts, op, pid)
    assert _status(hosts, pid) == "musyawarah"
    csrf = _fields(op.get(hosts.url + "/petugas/musyawarah").text)[0]
    r = op.post(hosts.url + "/petugas/musyawarah",
                data={"csrf_token": csrf, "tanggal": clock.today().isoformat()},
                files={"berita_acara": ("ba.jpg", jpeg().getvalue(), "image/jpeg")}, allow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    meeting = re.search(r'<option value="([^"]+)"', op.get(f"{hosts.url}/petugas/usulan/{pid}").text).group(1)
    _decide(hosts, op, pid, musyawarah=meeting)
    assert _status(hosts, pid) == "verifikasi"
    ver = _officer_session(hosts, "dinsos_verifikator")
    csrf = _fields(ver.get(f"{hosts.url}/petugas/usulan/{pid}").text)[0]
    r = ver.post(f"{hosts.url}/petugas/usulan/{pid}/kunjungan",
                 data={"csrf_token": csrf, "tanggal": clock.today().isoformat(), "kondisi": ["lantai_tanah"],
                       "catatan": "Rumah satu kamar", "desil": "3"},
                 files={"foto": ("a.jpg", jpeg().getvalue(), "image/jpeg")}, allow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    _decide(hosts, ver, pid)
    assert _status(hosts, pid) == "penetapan"
    _decide(hosts, _officer_session(hosts, "pemda"), pid)
    _decide(hosts, _officer_session(hosts, "pusat"), pid)
    assert _status(hosts, pid) == "disetujui"
    return ver


def step_import(hosts, ver):
    csrf = _fields(ver.get(hosts.url + "/petugas/impor").text)[0]
    hosts.land_next_on(ver, 0)  # started on host 1; host 2 runs the consumer
    raw = (ROOT / "docs" / "contoh-impor.csv").read_bytes()
    r = ver.post(hosts.url + "/petugas/impor", data={"csrf_token": csrf},
                 files={"berkas": ("impor.csv", raw, "text/csv")}, allow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    status_url = hosts.url + r.headers["Location"]

    job_id = status_url.rstrip("/").rsplit("/", 1)[1]
    import psycopg

    def finished():  # the officer's progress page, polled like htmx does, alternating hosts
        assert ver.get(status_url).status_code == 200
        with psycopg.connect(hosts.database_url) as conn:
            status = conn.execute("SELECT status FROM import_job WHERE public_id = %s",
                                  (job_id,)).fetchone()[0]
        return status if status not in ("menunggu", "berjalan") else None

    assert _wait_for(finished, 15, "the import to be applied by the consumer") == "selesai"
    with psycopg.connect(hosts.database_url) as conn:
        assert conn.execute("SELECT count(*) FROM person WHERE nik = '3276061505700011'").fetchone()[0] == 1


def step_export(hosts, ver):
    today = clock.today()
    r = ver.get(hosts.url + "/petugas/ekspor.csv", params={"dari": (today - timedelta(days=1)).isoformat(),
                                                           "sampai": today.isoformat()})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    assert "nomor_usulan" in r.text and "disetujui" in r.text


def kill_host_1_under_load(hosts):
    """Registrations from 4 clients for ~8 s; host 1 is SIGKILLed after ~3 s.
    Returns (acknowledged NIKs, whether each registration begun after the
    kill was acknowledged). One in flight on host 1 at the kill may fail:
    it was never acknowledged."""
    import requests

    hosts.alternating = False
    acknowledged, attempts, stop = [], [], threading.Event()
    killed_at = [float("inf")]
    serial = iter(range(100, 10000))
    lock = threading.Lock()

    def client(_n):
        s = requests.Session()
        while not stop.is_set():
            began = time.monotonic()
            with lock:
                nik = f"32760601019{next(serial):05d}"[:16]
            try:
                csrf = _fields(s.get(hosts.url + "/akun/daftar", timeout=20).text)[0]
                data = registration_data(csrf, nik=nik, email=f"beban{nik}@example.com")
                r = s.post(hosts.url + "/akun/daftar", data=data, allow_redirects=False, timeout=20)
            except (requests.RequestException, AttributeError):
                r = None
            ok = r is not None and r.status_code == 302 and r.headers["Location"].endswith("/akun/verifikasi")
            with lock:
                if ok:
                    acknowledged.append(nik)
                attempts.append((began, ok))

    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(client, n) for n in range(4)]
        time.sleep(3)
        os.killpg(hosts.procs[0].pid, signal.SIGKILL)  # host 1's gunicorn, master and workers
        killed_at[0] = time.monotonic()
        hosts.procs[0].wait()
        time.sleep(5)
        stop.set()
        for f in futures:
            f.result()
    before = [ok for began, ok in attempts if began < killed_at[0]]
    assert sum(before) >= 4, "the load did not get going before the kill"
    return acknowledged, [ok for began, ok in attempts if began > killed_at[0] + 0.2]


def test_a_journey_alternating_two_hosts_then_one_killed(hosts):
    failed = {}

    def attempt(name, fn, *args):
        try:
            return fn(*args)
        except AssertionError as exc:
            failed[name] = str(exc).splitlines()[0][:200]
            return None

    attempt("lookup with captcha", step_lookup, hosts)
    attempt("registration with the e-mail code", step_registration, hosts)
    shown = attempt("photo upload", step_photo, hosts)
    if shown:
        attempt("photo shown on the other host", step_photo_other_host, hosts, *shown)
    pid = attempt("a citizen's proposal through its six steps", step_citizen_proposal, hosts)
    ver = pid and attempt("the proposal through every officer stage", step_proposal, hosts, pid)
    if ver:
        attempt("import applied by the other host's consumer", step_import, hosts, ver)
        attempt("export", step_export, hosts, ver)
    assert len(set(hosts.trail)) == 2 and len(hosts.trail) > 40  # both hosts, turn by turn

    acknowledged, after = kill_host_1_under_load(hosts)
    assert len(after) >= 4 and all(after), f"host 2 answered {sum(after)} of {len(after)} begun after"
    import psycopg

    with psycopg.connect(hosts.database_url) as conn:
        stored = {row[0] for row in conn.execute("SELECT nik FROM account WHERE email LIKE 'beban%%'")}
    lost = sorted(set(acknowledged) - stored)
    assert acknowledged and not lost, f"acknowledged but lost: {len(lost)} of {len(acknowledged)}"
    # And the surviving host still serves a page after the load.
    import requests

    assert requests.get(hosts.url + "/", timeout=10).status_code == 200

    mode = "network namespaces" if hosts.places[0].netns else "loopback addresses (no ip netns here)"
    print(f"two hosts in {mode}; journey steps that failed:", failed or "none")  # noqa: T201 - test log
    unexpected = {k: v for k, v in failed.items() if k not in NEEDS_SHARED_STATE}
    assert not unexpected, f"journey steps failed: {unexpected}"
    if failed:
        pytest.xfail("; ".join(f"{k} ({NEEDS_SHARED_STATE[k]}): {v}" for k, v in failed.items()))
