"""render() answers htmx requests for pages whose block is inherited (every
proposal step extends usulan/_step.html) with the whole page instead of a 500."""

import pytest

from .test_usulan import Citizen, text

STEPS = ("data-diri", "anggota", "domisili", "kondisi", "program", "dokumen")


@pytest.fixture
def citizen(client, monkeypatch):
    return Citizen(client, monkeypatch).sign_in()


@pytest.mark.parametrize("step", STEPS)
def test_an_htmx_request_for_a_step_page_gets_the_page(citizen, db, step):
    pid = citizen.started()
    response = citizen.client.get(f"/usulan/{pid}/{step}", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'id="main"' in text(response) and "HX-Request" in response.headers["Vary"]


def test_a_mistyped_block_name_fails_loudly_in_tests(app):
    from jinja2_fragments import BlockNotFoundError

    from webapp.htmx import render

    with app.test_request_context("/", headers={"HX-Request": "true"}), pytest.raises(BlockNotFoundError):
        render("cek/index.html", "contnet")


def test_in_production_a_mistyped_block_is_logged_and_the_page_still_served(app, caplog):
    from webapp.htmx import render

    app.testing = False
    try:
        with app.test_request_context("/", headers={"HX-Request": "true"}):
            response = render("errors/error.html", "contnet", code=404, title="Tidak ditemukan",
                              text="Halaman tidak ada.")
    finally:
        app.testing = True
    assert response.status_code == 200 and "Halaman tidak ada." in text(response)
    assert "no block 'contnet'" in caplog.text
