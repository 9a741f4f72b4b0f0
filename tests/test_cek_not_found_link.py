"""The lookup's "not found" answer links to the online proposal; a person
without an account lands on sign-in, from where registration is one link."""

import re

from .helpers import text


def usulan_links(html):
    return re.findall(r'<a href="(/usulan/)">([^<]+)</a>', html)


def test_not_found_links_to_the_usulan_start_page(client, lookup):
    html = text(lookup.by_name("32.76.06.1001", "Nama Rekaan Sekali"))
    assert "Tidak Terdapat Peserta/PM" in html
    assert usulan_links(html) == [("/usulan/", "Ajukan usulan secara daring")]


def test_not_found_by_nik_links_there_too(lookup):
    html = text(lookup.by_nik("3276060101900099"))
    assert usulan_links(html) == [("/usulan/", "Ajukan usulan secara daring")]


def test_the_link_sends_a_signed_out_person_to_sign_in_and_registration(client):
    response = client.get("/usulan/")
    assert response.status_code in (302, 303)
    sign_in = client.get(response.headers["Location"])
    assert sign_in.status_code == 200
    assert 'href="/akun/daftar"' in text(sign_in)

