"""Where sign-in and the language switch send a person afterwards: only a
path on this site, read as a browser reads it (issue 14, items 1 and 2)."""

import pytest

from webapp.akun.models import ACTIVE
from webapp.akun.session import safe_next
from webapp.db import flask_db

from .conftest import form_fields, new_account

# Each of these leads a browser off-site (tab/CR/LF dropped, "\" read as "/").
OFF_SITE = ["/\t/evil.example/phish", "/\\evil.example", "\\/evil.example",
            "/\r\n/evil.example", "//evil.example", "https://evil.example/", "/\\/evil.example",
            "javascript:alert(1)", " /x", "/\x00/evil.example"]


@pytest.mark.parametrize("target", ["/%09/evil.example/phish"])
def test_percent_encoded_tab_is_decoded_before_the_check(target):
    # Flask hands the view the decoded value: "/\t/evil.example/phish".
    from urllib.parse import unquote
    assert safe_next(unquote(target)) is None


@pytest.mark.parametrize("target", OFF_SITE)
def test_off_site_targets_are_refused(target):
    assert safe_next(target) is None


@pytest.mark.parametrize("target", ["/akun", "/usulan/status?x=1", "/a\\b", "/sanggahan/baru/abc#top"])
def test_site_paths_are_kept(target):
    assert safe_next(target) == target


@pytest.fixture
def citizen(app):
    with app.app_context():
        account = new_account(ACTIVE)
        flask_db.database.close()
    return account


def test_sign_in_with_a_tab_trick_lands_on_the_profile(citizen, akun, client):
    client.get("/akun/masuk?next=/%09/evil.example/phish")
    response = akun.sign_in(next="/\t/evil.example/phish")
    assert response.status_code == 302
    assert response.headers["Location"] == "/akun"


def test_sign_in_with_cr_lf_in_next_is_no_500(citizen, akun, client):
    assert client.get("/akun/masuk?next=/%0d%0aSet-Cookie:x=1").status_code == 200
    response = akun.sign_in(next="/\r\nSet-Cookie: x=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/akun"
    assert "x=1" not in response.headers.get("Set-Cookie", "")


@pytest.mark.parametrize("target", OFF_SITE)
def test_language_switch_never_leaves_the_site_nor_fails(client, target):
    csrf, _ = form_fields(client.get("/").get_data(as_text=True))
    response = client.post("/bahasa", data={"csrf_token": csrf, "lang": "en", "next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
