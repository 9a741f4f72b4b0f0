"""Tanggapan Kelayakan: search by name inside the own desa only, 1–2 letter
searches refused, one changeable response per account, recipient and
period, and the responses reorder the officers' queues."""

import re

import pytest

from webapp.identity import mask_name
from webapp.registry.models import Person
from webapp.sanggahan import services
from webapp.sanggahan.models import EligibilityResponse
from webapp.sanggahan.recipients import recipient_filter

from .test_petugas_support import Officer, forget_csrf
from .test_sanggahan import Neighbour, text


@pytest.fixture
def neighbour(client, monkeypatch, registry_person):
    return Neighbour(client, monkeypatch).sign_in(registry_person.desa_code)


def shown(html):
    return re.findall(r'<p class="recipient-name"><strong>([^<]+)</strong></p>', html)


def desa_recipients(desa):
    return list(Person.select().where((Person.desa == desa) & recipient_filter()))


def test_search_by_prefix_stays_inside_the_own_desa(neighbour, registry_person):
    prefix = registry_person.name_norm[:3]
    html = text(neighbour.client.get("/sanggahan/penerima", query_string={"q": prefix.upper()}))
    found = shown(html)
    own = {mask_name(p.name) for p in desa_recipients(registry_person.desa_code)
           if p.name_norm.startswith(prefix)}
    assert mask_name(registry_person.name) in found and set(found) <= own
    # The same letters match people elsewhere too; none of them is listed.
    elsewhere = (Person.select().where((Person.desa != registry_person.desa_code)
                                       & Person.name_norm.startswith(prefix) & recipient_filter()))
    assert not {mask_name(p.name) for p in elsewhere} - own & set(found)
    assert registry_person.name not in html and registry_person.nik not in html


def test_the_exact_normalised_name_is_found(neighbour, registry_person):
    html = text(neighbour.client.get("/sanggahan/penerima",
                                     query_string={"q": "  " + registry_person.name.upper() + " "}))
    assert mask_name(registry_person.name) in shown(html)


@pytest.mark.parametrize("query", ["a", "Ab", " b. ", "1234", "%%"])
def test_one_and_two_letter_searches_are_refused(neighbour, query):
    response = neighbour.client.get("/sanggahan/penerima", query_string={"q": query})
    html = text(response)
    assert response.status_code == 422
    assert "paling sedikit 3 huruf" in html and not shown(html)
    assert f'value="{query}"' in html or query.strip() in html  # what was typed stays


def test_a_search_never_lists_another_desa_or_the_province(neighbour, registry_person):
    """Pages of a wildcard-looking search still end at the own desa."""
    seen = set()
    for page in range(1, 30):
        html = text(neighbour.client.get("/sanggahan/penerima", query_string={"hal": page}))
        names = shown(html)
        if not names:
            break
        seen |= set(names)
    own = {mask_name(p.name) for p in desa_recipients(registry_person.desa_code)}
    assert seen and seen <= own


def respond(neighbour, person, verdict, htmx=False):
    forget_csrf()  # an officer's client in the same app context left its token in g
    html = text(neighbour.client.get("/sanggahan/penerima", query_string={"q": person.name_norm}))
    token = re.search(r'name="penerima" value="([^"]+)"', html).group(1)
    headers = {"HX-Request": "true"} if htmx else {}
    forget_csrf()
    return neighbour.post("/sanggahan/penerima/tanggapan",
                          {"penerima": token, "tanggapan": verdict, "q": person.name_norm, "hal": "1"},
                          csrf_from="/sanggahan/penerima", headers=headers)


def test_one_response_per_account_and_recipient_changeable(neighbour, registry_person):
    response = respond(neighbour, registry_person, "tidak_layak")
    assert response.status_code == 303 and "q=" in response.headers["Location"]
    again = respond(neighbour, registry_person, "layak", htmx=True)
    assert again.status_code == 200 and "Tanggapan Anda: Layak." in text(again)
    assert 'aria-pressed="true"' in text(again) and "<li" in text(again)
    rows = list(EligibilityResponse.select())
    assert len(rows) == 1 and rows[0].eligible is True
    neighbour.sign_in(registry_person.desa_code, id_=2)
    respond(neighbour, registry_person, "tidak_layak")
    assert EligibilityResponse.select().count() == 2


def test_a_forged_or_foreign_token_is_refused(neighbour, registry_person):
    html = text(neighbour.client.get("/sanggahan/penerima"))
    token = re.search(r'name="penerima" value="([^"]+)"', html).group(1)
    neighbour.sign_in(registry_person.desa_code, id_=9)
    response = neighbour.post("/sanggahan/penerima/tanggapan", {"penerima": token, "tanggapan": "layak"},
                              csrf_from="/sanggahan/penerima")
    assert response.status_code == 404 and not EligibilityResponse.select().exists()


def test_not_eligible_responses_move_a_recipient_up_the_officer_queues(app, runner, neighbour,
                                                                      registry_person):
    # Two objections in the region; the younger one's recipient gets "Tidak layak".
    others = [p for p in desa_recipients(registry_person.desa_code) if p.id != registry_person.id]
    older, younger = others[0], registry_person
    for person in (older, younger):
        services.create(neighbour.account, person, services.SANGGAH, "pindah", "Sudah pindah", True)
    verifikator = Officer(app, runner, "verif@contoh.test", "dinsos_verifikator", "32.76").sign_in()
    operator = Officer(app, runner, "operator@contoh.test", "operator_desa",
                       registry_person.desa_code).sign_in()

    def queue_order():
        html = text(verifikator.get("/petugas/sanggahan"))
        return re.findall(r'href="/petugas/sanggahan/([^"]+)"', html)

    before = queue_order()
    assert len(before) == 2
    for account_id in (11, 12):
        neighbour.sign_in(registry_person.desa_code, id_=account_id)
        assert respond(neighbour, younger, "tidak_layak").status_code == 303
    after = queue_order()
    assert after == list(reversed(before)), (before, after)
    assert "2 tanggapan Tidak layak" in text(verifikator.get("/petugas/sanggahan"))
    # The desa's operator reads the counts too, most "Tidak layak" first.
    counts = text(operator.get("/petugas/tanggapan"))
    assert younger.name in counts and re.search(r"<td>2</td><td>0</td>", counts)
