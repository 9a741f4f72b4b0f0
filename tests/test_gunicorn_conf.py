"""gunicorn.conf.py: every name is a gunicorn setting, and no server opens
the per-user control socket (~/.gunicorn/gunicorn.ctl) that a second server
of the same user would take over."""

import os
import runpy
import socket
import subprocess
import sys
import time
from pathlib import Path

from gunicorn.config import Config

ROOT = Path(__file__).resolve().parents[1]
CONF = ROOT / "gunicorn.conf.py"


def settings(monkeypatch, **env):
    for name in ("GUNICORN_CONTROL_SOCKET", "XDG_RUNTIME_DIR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    names = {k: v for k, v in runpy.run_path(str(CONF)).items()
             if not k.startswith("_") and k not in ("os", "multiprocessing")}
    cfg = Config()
    unknown = sorted(set(names) - set(cfg.settings))
    assert not unknown, f"not gunicorn settings: {unknown}"
    for name, value in names.items():
        cfg.set(name, value)
    return cfg


def test_the_control_socket_is_off_by_default(monkeypatch):
    assert settings(monkeypatch).control_socket_disable is True


def test_an_instance_may_name_its_own_control_socket(monkeypatch, tmp_path):
    cfg = settings(monkeypatch, GUNICORN_CONTROL_SOCKET=str(tmp_path / "cek.ctl"))
    assert cfg.control_socket_disable is False
    assert cfg.control_socket == str(tmp_path / "cek.ctl")


def test_a_served_instance_leaves_no_socket_in_home(tmp_path):
    (tmp_path / "mini.py").write_text(
        "def app(environ, start_response):\n"
        "    start_response('200 OK', [('Content-Type', 'text/plain')])\n"
        "    return [b'ok']\n")
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("GUNICORN_CMD_ARGS", "GUNICORN_CONTROL_SOCKET", "XDG_RUNTIME_DIR")}
    env.update(HOME=str(home), WEB_CONCURRENCY="1")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(CONF), "-b", f"127.0.0.1:{port}",
             "--chdir", str(tmp_path), "mini:app"],
            env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while "Booting worker" not in log.read_text(errors="replace"):
            assert process.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, log.read_text(errors="replace")
            time.sleep(0.1)
        time.sleep(0.5)
        assert not (home / ".gunicorn").exists()
        assert "control socket" not in log.read_text(errors="replace").lower()
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_the_access_line_is_gunicorns_own_with_less_gathered(monkeypatch):
    """gunicorn.conf.py's logger gathers only the atoms its access format
    prints: the line is the one gunicorn's own logger writes; a format the
    operator changed gets gunicorn's own gathering."""
    import datetime
    from types import SimpleNamespace

    from gunicorn.glogging import Logger, SafeAtoms

    conf = runpy.run_path(str(CONF))
    cfg = settings(monkeypatch)
    ours, theirs = conf["_AccessLogger"](cfg), Logger(cfg)
    environ = {"REMOTE_ADDR": "10.1.2.3", "REQUEST_METHOD": "POST", "PATH_INFO": '/wilayah/"32"',
               "RAW_URI": "/wilayah/32?x=1", "QUERY_STRING": "x=1", "SERVER_PROTOCOL": "HTTP/1.1",
               "HTTP_USER_AGENT": "Lynx/2.9"}
    for sent, status in ((1234, "200 OK"), (None, "304 Not Modified")):
        resp = SimpleNamespace(status=status, sent=sent,
                               headers=[("Content-Type", "text/html"), ("X-Request-ID", "3f2a9c0e5b7d41c8")])
        req = SimpleNamespace(headers=[("HOST", "localhost"), ("USER-AGENT", "Lynx/2.9")])
        took = datetime.timedelta(seconds=1, microseconds=234567)
        line = cfg.access_log_format % SafeAtoms(ours.atoms(resp, req, environ, took))
        assert line == cfg.access_log_format % SafeAtoms(theirs.atoms(resp, req, environ, took))
        assert "rid=3f2a9c0e5b7d41c8" in line and "1234ms" in line
    cfg.set("access_log_format", '%(h)s %(a)s')
    assert cfg.access_log_format % SafeAtoms(ours.atoms(resp, req, environ, took)) == "10.1.2.3 Lynx/2.9"
