"""The language switch."""


def test_switch_is_a_post_that_returns_to_the_page(client):
    html = client.get("/").get_data(as_text=True)
    assert 'name="lang" value="en"' in html
    from .conftest import form_fields

    csrf, _ = form_fields(html)
    response = client.post("/bahasa", data={"csrf_token": csrf, "lang": "en", "next": "/?mode=nik"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/?mode=nik"
    page = client.get("/?mode=nik").get_data(as_text=True)
    assert '<html lang="en">' in page


def test_switch_never_redirects_off_site(client):
    from .conftest import form_fields

    csrf, _ = form_fields(client.get("/").get_data(as_text=True))
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = client.post("/bahasa", data={"csrf_token": csrf, "lang": "en", "next": target})
        assert response.headers["Location"] == "/"


def test_unknown_language_keeps_indonesian(client):
    from .conftest import form_fields

    csrf, _ = form_fields(client.get("/").get_data(as_text=True))
    client.post("/bahasa", data={"csrf_token": csrf, "lang": "xx", "next": "/"})
    assert '<html lang="id">' in client.get("/").get_data(as_text=True)
