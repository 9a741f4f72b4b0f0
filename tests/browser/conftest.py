"""Real Chromium against the real app: gunicorn (two workers, the production
gunicorn.conf.py) serving a private copy of the session's test database on a
free port of 127.0.0.1, one browser per session and a fresh context (cookies,
cache) per page."""

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from ..server import Server, start_server  # noqa: F401 - Server re-exported for tests

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"

PHONE = {"viewport": {"width": 360, "height": 640}, "has_touch": True, "is_mobile": True}
DESKTOP = {"viewport": {"width": 1280, "height": 1024}}
SIZES = {"phone": PHONE["viewport"], "desktop": DESKTOP["viewport"]}



@dataclass(frozen=True)
class Recipient:
    """A synthetic person who receives a program this quarter, and the names
    a person picks in the four selects to reach their desa."""

    name: str
    nik: str
    desa_code: str
    region_names: tuple  # provinsi, kabupaten, kecamatan, desa


@pytest.fixture(scope="session")
def live_server(template_instance, tmp_path_factory):
    """The app served by gunicorn like in production, on its own database."""
    with start_server(template_instance, tmp_path_factory) as server:
        yield server


@pytest.fixture(scope="session")
def recipient(live_server):
    """Someone the served registry lists as receiving a program now."""
    from webapp import create_app
    from webapp.db import flask_db
    from webapp.registry.demo import examples
    from webapp.registry.models import Region

    app = create_app(live_server.config)
    with app.app_context():
        rows = examples(limit=1)
        assert rows, "the test registry has no recipient in the anchor kecamatan"
        name, nik, desa, _desa_name = rows[0]
        codes = (desa[:2], desa[:5], desa[:8], desa)
        names = tuple(Region.get_by_id(code).name for code in codes)
        flask_db.database.close()
    return Recipient(name, nik, desa, names)


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the session. Missing Chromium skips the browser tests,
    except under CI=true, where it fails them."""
    if not os.path.exists(CHROMIUM):
        message = (f"{CHROMIUM} not found: the browser tests need Chromium "
                   "(install it with `apt-get install chromium`).")
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """new_page(PHONE or DESKTOP, javascript=True, server=None, **context_options):
    a page in a fresh browser context, on `server` (default: live_server).
    Uncaught script errors and CSP violations fail the test."""
    contexts, problems = [], []

    def watch(message):
        if "Content Security Policy" in message.text:
            problems.append(f"{message.text} ({message.location['url']})")

    def open_page(layout, javascript=True, server=None, **options):
        context = browser.new_context(base_url=(server or live_server).url, java_script_enabled=javascript,
                                      locale="id-ID", **layout, **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("console", watch)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not problems, f"script errors or CSP violations: {problems}"


@pytest.fixture
def snap(request):
    """snap(page, state): full-page screenshots of the page as it is now, at
    the phone and the desktop size, into test-artifacts/screenshots/. With
    UPDATE_DOCS_SCREENSHOTS=1, `docs="name.png"` also copies the one at the
    page's own size to docs/screenshots/ for the README."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    prefix = re.sub(r"[^\w-]+", "-", request.node.name.removeprefix("test_")).strip("-")

    def take(page, state, docs=None):
        own = page.viewport_size
        paths = {}
        for label, size in SIZES.items():
            page.set_viewport_size(size)
            paths[label] = SCREENSHOTS / f"{prefix}-{state}-{label}.png"
            # caret="initial": hiding the caret leaves style="" on inputs, which
            # htmx then copies while settling, and the CSP rightly refuses.
            page.screenshot(path=paths[label], full_page=True, caret="initial")
        page.set_viewport_size(own)
        if docs and os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1":
            label = next(name for name, size in SIZES.items() if size == own)
            DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(paths[label], DOCS_SCREENSHOTS / docs)

    return take
