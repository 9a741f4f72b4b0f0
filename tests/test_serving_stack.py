"""The served configuration (issue 14, item 3): `make run`'s stack
(deploy/serve.sh: nginx buffering in front of gunicorn) keeps answering
normal requests within 1 s while 1,000 connections sit idle and 16 phones
trickle uploads; deploy/nginx.conf is started and checked, not only shipped."""

import datetime
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from bench.slowclients import run as slow_load

from .conftest import _config
from .dbbackend import backend

ROOT = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
pytestmark = pytest.mark.skipif(NGINX is None and os.environ.get("CI") != "true",
                                reason="nginx not installed (make .make-system installs it)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, seconds=30, context=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2, context=context) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{url} did not answer within {seconds} s", pytrace=False)


@pytest.fixture(scope="module")
def served(template_instance, tmp_path_factory):
    """deploy/serve.sh, as `make run` starts it, on free ports."""
    instance = tmp_path_factory.mktemp("stack-instance")
    database = backend.clone(template_instance, instance)
    config = _config(instance, CAPTCHA_VOICES_DIR=str(template_instance / "captcha-voices"), **database)
    port, app_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k != "GUNICORN_CMD_ARGS"}
    env.update(CEKBANSOS_TEST_CONFIG=json.dumps(config), PORT=str(port), APP_PORT=str(app_port),
               APP="tests.browser.serve_app:app", RUN_DIR=str(instance / "run"),
               BIN=str(Path(os.sys.executable).parent), PATH=env.get("PATH", "") + ":/usr/sbin")
    log = open(instance / "serve.log", "wb")  # noqa: SIM115 - open for the fixture's life
    process = subprocess.Popen([str(ROOT / "deploy" / "serve.sh")], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/")
        yield {"url": f"http://127.0.0.1:{port}", "app_url": f"http://127.0.0.1:{app_port}",
               "instance": instance}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()
        backend.drop(database)


def test_idle_and_slow_clients_do_not_stall_normal_requests(served):
    figures = slow_load(served["url"], idle=1000, slow=16, seconds=10, rate=20_000)
    assert figures["requests"] >= 10
    assert figures["failures"] == 0 and figures["over_1s"] == 0, figures


def test_the_front_refuses_malformed_requests_with_400(served):
    """Item 10: no Host on HTTP/1.1, a bad chunk size, bare-LF chunk lines."""
    port = int(served["url"].rsplit(":", 1)[1])
    for raw in (b"GET / HTTP/1.1\r\n\r\n",
                b"POST /bahasa HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"zz\r\nab\r\n0\r\n\r\n",
                b"POST /bahasa HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\nab\n0\n\n"):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(raw)
            answer = s.recv(200)
        assert answer.startswith(b"HTTP/1.1 400"), (raw, answer)


# -- deploy/nginx.conf -------------------------------------------------------
def _blocks(text, name):
    return re.findall(name + r"\s*[^{]*\{([^}]*)\}", text)


@pytest.mark.parametrize("conf", ["deploy/nginx.conf", "deploy/nginx-local.conf"])
def test_upstream_keepalive_ends_before_gunicorn_s(conf):
    text = (ROOT / conf).read_text()
    gunicorn = int(re.search(r"^keepalive = (\d+)", (ROOT / "gunicorn.conf.py").read_text(), re.M).group(1))
    upstream = _blocks(text, "upstream")[0]
    found = re.search(r"keepalive_timeout\s+(\d+)s;", upstream)
    assert found and int(found.group(1)) < gunicorn


@pytest.mark.parametrize("conf", ["deploy/nginx.conf", "deploy/nginx-local.conf"])
def test_no_cache_rule_without_a_cache(conf):
    for location in _blocks((ROOT / conf).read_text(), "location"):
        if "proxy_cache_valid" in location:
            assert re.search(r"proxy_cache\s+\w+;", location)


def _self_signed(folder):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cekbansos.example.go.id")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                       serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))


def test_deploy_nginx_conf_serves_with_one_cache_control(served, tmp_path):
    """deploy/nginx.conf as shipped, in front of the app, with only the
    ports and certificate paths changed."""
    _self_signed(tmp_path)
    http_port, https_port = free_port(), free_port()
    app_port = served["app_url"].rsplit(":", 1)[1]
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    site = (site.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};")
            .replace("listen 80;", f"listen 127.0.0.1:{http_port};")
            .replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
            .replace("/etc/ssl/certs/cekbansos.pem", str(tmp_path / "cert.pem"))
            .replace("/etc/ssl/private/cekbansos.key", str(tmp_path / "key.pem")))
    assert f"{https_port} ssl" in site and str(tmp_path / "key.pem") in site
    (tmp_path / "site.conf").write_text(site)
    temps = "".join(f"{kind}_temp_path {tmp_path}/{kind};\n"
                    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (tmp_path / "main.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log warn;\ndaemon off;\n"
        f"events {{ worker_connections 256; }}\nhttp {{\naccess_log off;\n{temps}"
        f"include {tmp_path}/site.conf;\n}}\n")
    args = [NGINX, "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(tmp_path / "main.conf")]
    check = subprocess.run([*args, "-t"], capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        context = ssl.create_default_context(cafile=str(tmp_path / "cert.pem"))
        context.check_hostname = False
        base = f"https://127.0.0.1:{https_port}"
        wait_for(base + "/", context=context)
        with urllib.request.urlopen(base + "/", timeout=5, context=context) as page:  # noqa: S310
            html = page.read().decode()
            assert page.headers.get_all("Cache-Control") == ["no-store"]
        static = re.search(r'(/static/[^"?]+\.css\?v=[^"]+)', html).group(1)
        with urllib.request.urlopen(base + static, timeout=5, context=context) as asset:  # noqa: S310
            assert asset.headers.get_all("Cache-Control") == ["public, max-age=31536000, immutable"]
            assert asset.headers.get("Expires") is None
    finally:
        process.terminate()
        process.wait(10)
