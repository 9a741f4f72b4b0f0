"""Every failure page is short, in Bahasa Indonesia, and shows no internals
(SECURITY.md 32)."""

import pytest
from flask import abort


@pytest.fixture
def failing_app(app):
    @app.get("/_uji/<int:code>")
    def fail(code):
        abort(code)

    @app.get("/_uji/crash")
    def crash():
        raise RuntimeError("secret internals 3276064506900001")

    return app


@pytest.mark.parametrize("code, title", [
    (400, "Permintaan tidak dapat diproses"),
    (403, "Akses ditolak"),
    (404, "Halaman tidak ditemukan"),
    (405, "Cara membuka halaman tidak didukung"),
    (413, "Berkas terlalu besar"),
    (429, "Terlalu banyak permintaan"),
])
def test_error_pages_are_short_and_translated(failing_app, code, title):
    response = failing_app.test_client().get(f"/_uji/{code}")
    html = response.get_data(as_text=True)
    assert response.status_code == code
    assert title in html
    assert f"<title>{title}" in html
    assert len(html) < 4000
    assert response.headers["Content-Type"].startswith("text/html")


def test_500_hides_the_exception(failing_app):
    failing_app.config["PROPAGATE_EXCEPTIONS"] = False
    response = failing_app.test_client().get("/_uji/crash")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Terjadi gangguan" in html
    assert "secret internals" not in html and "Traceback" not in html and "3276064506900001" not in html


def test_too_large_request_gets_a_readable_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/", data={"nama": "x" * 5000})
    assert response.status_code == 413
    assert "Berkas terlalu besar" in response.get_data(as_text=True)


def test_wrong_method_is_405_page(client):
    response = client.delete("/")
    assert response.status_code == 405
    assert "tidak didukung" in response.get_data(as_text=True)


def test_htmx_error_replaces_main(client):
    response = client.get("/tidak-ada", headers={"HX-Request": "true"})
    assert response.status_code == 404
    assert response.headers["HX-Retarget"] == "#main"
    assert response.headers["HX-Reselect"] == "#main"


def test_every_refusal_carries_its_message_the_same_way():
    """One Refused base: a view shows `.message` (and `.field`) of any rule's no."""
    from webapp.errors import Refused
    from webapp.sanggahan.services import DecisionError
    from webapp.sanggahan.tanggapan import SearchError
    from webapp.uploads import UploadError
    from webapp.usulan.drafts import MemberError
    from webapp.usulan.services import TransitionError

    for refusal in (TransitionError("x"), UploadError("x"), SearchError("x"), DecisionError("x"),
                    MemberError("nik", "x")):
        assert isinstance(refusal, Refused) and refusal.message == "x" and str(refusal) == "x"
    assert DecisionError("x").field == "reason" and MemberError("nik", "x").field == "nik"
    assert DecisionError("x", field="alasan").field == "alasan" and TransitionError("x").field is None
