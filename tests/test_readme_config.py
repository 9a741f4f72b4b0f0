"""README documents every setting in webapp/config.py and how to run the job
queue's consumer beside gunicorn; the deploy/ units it names exist."""

import re
from pathlib import Path

from webapp.config import Defaults

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def table_settings():
    section = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1]))
    return names


def test_every_setting_is_in_the_configuration_table():
    settings = {name for name in vars(Defaults) if name.isupper()}
    missing = sorted(settings - table_settings())
    assert not missing, f"settings missing from the README table: {missing}"


def test_the_proxy_section_starts_the_queue_consumer_beside_gunicorn():
    section = README.split("### Behind a reverse proxy", 1)[1].split("\n## ", 1)[0]
    assert "gunicorn -c gunicorn.conf.py wsgi:app" in section
    assert "huey_consumer webapp.tasks.huey" in section
    for unit in re.findall(r"\]\((deploy/[^)]+)\)", section):
        assert (ROOT / unit).is_file(), unit


def test_the_systemd_units_run_gunicorn_and_the_consumer():
    web = (ROOT / "deploy" / "cekbansos-web.service").read_text()
    queue = (ROOT / "deploy" / "cekbansos-queue.service").read_text()
    assert re.search(r"^ExecStart=\S+/gunicorn -c gunicorn\.conf\.py wsgi:app$", web, re.M)
    assert re.search(r"^ExecStart=\S+/huey_consumer webapp\.tasks\.huey\b", queue, re.M)
    for unit in (web, queue):
        assert "EnvironmentFile=-/etc/cekbansos.env" in unit and "[Install]" in unit
