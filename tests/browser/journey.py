"""Steps the journey tests share: the four ways a person meets the app
(360 px touch phone or 1280 px desktop, JavaScript on or off), pressing
buttons and links, the region picker, signing in (officers with their TOTP
code), people made directly in the served database, and `Looker`, which
runs axe-core and takes screenshots of every page a journey passes."""

import io
import itertools
import re

import pyotp
import pytest
from PIL import Image
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE
from .test_a11y_browser import serious_violations

PASSWORD = "kuda lari di sawah hijau"
OFFICER_PASSWORD = "petugas-sandi-panjang-sekali"
LEVELS = ("Provinsi", "Kabupaten/Kota", "Kecamatan", "Desa/Kelurahan")

WAYS = [(PHONE, True), (PHONE, False), (DESKTOP, True), (DESKTOP, False)]
WAY_IDS = ["phone-js", "phone-nojs", "desktop-js", "desktop-nojs"]
EVERY_WAY = pytest.mark.parametrize("layout, javascript", WAYS, ids=WAY_IDS)


def way_number(layout, javascript):
    """0–3: keeps the data of each parametrized run apart."""
    return WAYS.index((layout, javascript))


def press(page, name, javascript=True, role="button", htmx=False, exact=True):
    """Presses a button or follows a link. Everything but an htmx swap
    loads a page; that load is waited for (with or without JavaScript)."""
    target = page.get_by_role(role, name=name, exact=exact)
    if htmx and javascript:
        target.click()
    else:
        with page.expect_navigation():
            target.click()


def choose_region(page, names, javascript, within=None):
    """The four selects: htmx fills the next level with JavaScript; without
    it, "Pilih" brings the page back with the next level."""
    scope = within or page
    for label, name in zip(LEVELS, names, strict=True):
        select = scope.get_by_label(label, exact=True)
        expect(select.get_by_role("option", name=name, exact=True)).to_have_count(1)
        select.select_option(label=name)
        if not javascript and label != LEVELS[-1]:
            press(page, "Pilih")


def heading(page, text):
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def photo_file(tmp_path, name="foto.png", size=(120, 80)):
    path = tmp_path / name
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buffer, "PNG" if name.endswith(".png") else "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


class Looker:
    """look(page, state): axe-core on the page as it is now (only with
    JavaScript: axe is a script and cannot run in a page without it, so at
    360 px in the phone-js run and at 1280 px in the desktop-js run) and
    full-page screenshots at both sizes (once, in the phone-js run: snap
    takes both sizes; the pages are rendered by the server either way).
    Violations are collected; `check()` fails on any."""

    def __init__(self, snap, layout, javascript):
        self.snap, self.javascript = snap, javascript
        self.pictures = (layout, javascript) == (PHONE, True)
        self.found, self.pages = [], []

    def __call__(self, page, state):
        self.pages.append(state)
        if self.javascript:
            self.found += [f"{state}: {v}" for v in serious_violations(page)]
        if self.pictures:
            self.snap(page, state)

    def check(self):
        assert not self.found, "serious or critical axe violations:\n" + "\n".join(self.found)


# People in the served database ------------------------------------------

def _in_app(server, work):
    from webapp import create_app
    from webapp.db import flask_db

    app = create_app(server.config)
    with app.app_context():
        try:
            return work(app)
        finally:
            flask_db.database.close()


def active_citizen(server, nik, email, desa, name="Warga Uji"):
    """An active citizen account living in `desa`; returns the e-mail."""
    def work(_app):
        from webapp.akun.models import ACTIVE, Account
        from webapp.akun.services import register_account

        account = register_account(nik, f"{desa.replace('.', '')[:6]}0101100011", name, "Jl. Melati 5",
                                   "004", "012", desa, "+6281234567890", email, PASSWORD)
        Account.update(state=ACTIVE).where(Account.id == account.id).execute()
        return email

    return _in_app(server, work)


# Distinct valid NIKs for officers (kecamatan Beji, born 1 January 1950 + k).
_OFFICER_NIKS = (f"3276060101{50 + k:02d}9{k:03d}" for k in itertools.count())


class Officer:
    """An officer made with the real `flask petugas buat`, with the TOTP
    secret it prints once."""

    def __init__(self, server, email, role, region=""):
        nik = next(_OFFICER_NIKS)
        def work(app):
            args = ["petugas", "buat", "--email", email, "--nik", nik, "--nama", "Petugas Uji",
                    "--peran", role, "--sandi", OFFICER_PASSWORD]
            if region:
                args += ["--wilayah", region]
            result = app.test_cli_runner().invoke(args=args)
            assert result.exit_code == 0, result.output
            return re.search(r"rahasia: ([A-Z2-7]+)", result.output).group(1)

        self.email, self.role = email, role
        self.secret = _in_app(server, work)

    def code(self):
        return pyotp.TOTP(self.secret).now()

    def sign_in(self, page, look=None):
        page.goto("/")
        press(page, "Masuk", role="link")
        page.get_by_label("NIK atau e-mail").fill(self.email)
        page.get_by_label("Kata sandi").fill(OFFICER_PASSWORD)
        press(page, "Masuk")
        heading(page, "Kode masuk petugas")
        if look:
            look(page, "petugas-kode")
        page.get_by_label("Kode dari aplikasi autentikator").fill(self.code())
        press(page, "Masuk")
        heading(page, "Ringkasan wilayah")


def sign_in(page, email):
    """A citizen signs in from the header link."""
    page.goto("/")
    press(page, "Masuk", role="link")
    page.get_by_label("NIK atau e-mail").fill(email)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    press(page, "Masuk")
    heading(page, "Akun saya")
