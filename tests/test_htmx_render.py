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
