"""Usulan and Sanggahan with real accounts from webapp.akun: signing in is
what opens them, and one citizen never sees another's proposal."""

import re

import pytest

from webapp.akun.models import ACTIVE, Account
from webapp.akun.services import register_account
from webapp.db import flask_db

from .conftest import form_fields
from .helpers import text

PASSWORD = "kuda lari di sawah hijau"



def make_account(app, n, state=ACTIVE):
    with app.app_context():
        account = register_account(f"32760617087500{n:02d}", "3276060101100011", f"Warga Contoh {n}",
                                   "Jl. Melati 5", "004", "012", "32.76.06.1001", "+6281234567890",
                                   f"warga{n}@contoh.test", PASSWORD)
        Account.update(state=state).where(Account.id == account.id).execute()
        flask_db.database.close()
    return f"warga{n}@contoh.test"


def sign_in(client, email):
    csrf = form_fields(text(client.get("/akun/masuk")))[0]
    response = client.post("/akun/masuk", data={"csrf_token": csrf, "identitas": email, "password": PASSWORD})
    assert response.status_code in (302, 303), text(response)


@pytest.fixture
def two_citizens(app):
    first, second = app.test_client(), app.test_client()
    sign_in(first, make_account(app, 11))
    sign_in(second, make_account(app, 12))
    return first, second


def test_signed_out_goes_to_the_sign_in_page(client):
    response = client.get("/usulan/")
    assert response.status_code == 302 and "/akun/masuk" in response.headers["Location"]
    assert "next=" in response.headers["Location"]
    assert client.get("/sanggahan/").status_code == 302


def test_an_account_awaiting_the_officer_is_told_why(app, client):
    sign_in(client, make_account(app, 13, state="menunggu verifikasi petugas"))
    response = client.get("/usulan/")
    assert response.status_code == 403 and "Petugas sedang memeriksa" in text(response)


def test_another_citizens_proposal_is_404_with_real_sessions(two_citizens):
    first, second = two_citizens
    csrf = form_fields(text(first.get("/usulan/")))[0]
    started = first.post("/usulan/", data={"csrf_token": csrf, "no_kk": "3276060101200042",
                                           "nik": "3276061708750003"})
    assert started.status_code == 303
    pid = re.search(r"/usulan/([^/]+)/data-diri", started.headers["Location"]).group(1)
    assert first.get(f"/usulan/{pid}/data-diri").status_code == 200
    for path in ("", "/data-diri", "/periksa", "/tanda-terima", "/dokumen/ektp"):
        assert second.get(f"/usulan/{pid}{path}").status_code == 404
    assert pid not in text(second.get("/usulan/"))
