"""A real server for tests where a process boundary matters (browsers,
several workers writing at once, a worker killed mid-request)."""

import contextlib
import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import _config
from .dbbackend import backend

ROOT = Path(__file__).resolve().parents[1]
STARTUP_SECONDS = 30
LISTENING = re.compile(r"Listening at: (http://127\.0\.0\.1:\d+)")


@dataclass(frozen=True)
class Server:
    url: str
    config: dict
    instance: Path
    pid: int  # the gunicorn master


def _log_tail(path, lines=40):
    text = path.read_text(errors="replace") if path.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


def _wait_until_serving(process, log_path):
    """The address gunicorn reports once it listens, after "/" answers."""
    deadline = time.monotonic() + STARTUP_SECONDS
    url = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{_log_tail(log_path)}", pytrace=False)
        if url is None:
            found = LISTENING.search(log_path.read_text(errors="replace"))
            url = found and found.group(1)
        if url:
            try:
                with urllib.request.urlopen(url + "/", timeout=2) as response:  # noqa: S310 - http only
                    if response.status == 200:
                        return url
            except OSError:
                pass
        time.sleep(0.1)
    pytest.fail(f"gunicorn did not answer within {STARTUP_SECONDS} s:\n{_log_tail(log_path)}", pytrace=False)


def _stop(process):
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def start_server(template_instance, tmp_path_factory, workers=2, **overrides):
    """gunicorn (the production gunicorn.conf.py) serving the app on its own
    copy of the test database, with `overrides` on top of the test settings;
    yields a Server."""
    instance = tmp_path_factory.mktemp("served-instance")
    database = backend.clone(template_instance, instance)
    config = _config(instance, CAPTCHA_VOICES_DIR=str(template_instance / "captcha-voices"), **database,
                     **overrides)
    env = {k: v for k, v in os.environ.items() if k != "GUNICORN_CMD_ARGS"}
    env["CEKBANSOS_TEST_CONFIG"] = json.dumps(config)
    log_path = instance / "gunicorn.log"
    with open(log_path, "wb") as log:
        # Port 0: the kernel picks a free port and gunicorn logs which.
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-w", str(workers),
             "-b", "127.0.0.1:0", "tests.browser.serve_app:app"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        yield Server(_wait_until_serving(process, log_path), config, instance, process.pid)
    finally:
        _stop(process)
        backend.drop(database)


class HttpClient:
    """One person over real HTTP: a cookie jar, GETs and form POSTs, and the
    CSRF and captcha tokens a page carries."""

    def __init__(self, base):
        import http.cookiejar
        import urllib.request

        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def _open(self, request):
        import urllib.error

        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    def get(self, path):
        import urllib.request

        return self._open(urllib.request.Request(self.base + path))  # noqa: S310 - http on loopback

    def post(self, path, data):
        import urllib.parse
        import urllib.request

        body = urllib.parse.urlencode(data).encode()
        return self._open(urllib.request.Request(self.base + path, data=body, method="POST"))  # noqa: S310

    def form(self, path):
        """(csrf token, captcha token or None) of the form at `path`."""
        import re

        html = self.get(path)[1]
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        token = re.search(r'name="captcha_token" value="([^"]+)"', html)
        return csrf, token and token.group(1)
