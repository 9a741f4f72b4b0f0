"""Issue 14: the recipient token in /sanggahan/baru/<token> (and the
"penerima" field of the Tanggapan buttons) is opaque: decoded as base64 it
holds no registry or account id, and an old link of the earlier signed
format, a changed one or one older than a day says clearly it no longer
works."""

import base64
import re
import time

from itsdangerous import URLSafeTimedSerializer

from webapp.identity import mask_name
from webapp.sanggahan.recipients import TOKEN_MAX_AGE, token_for

from .conftest import SECRET
from .test_sanggahan import Neighbour, text  # noqa: F401 - the fixture's class

OLD_LINK_SAYS = "Tautan penerima ini sudah tidak berlaku"


def _decoded(token):
    """The token's first segment read as base64 (an itsdangerous token's payload)."""
    segment = token.split(".")[0]
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _neighbour(client, monkeypatch, person):
    return Neighbour(client, monkeypatch).sign_in(person.desa_code, id_=10001)


def test_recipient_tokens_reveal_no_row_id(client, monkeypatch, registry_person):
    neighbour = _neighbour(client, monkeypatch, registry_person)
    html = text(client.get("/sanggahan/penerima"))
    tokens = set(re.findall(r'/sanggahan/baru/([^"]+)"', html))
    tokens |= set(re.findall(r'name="penerima" value="([^"]+)"', html))
    assert tokens
    for token in tokens:
        raw = _decoded(token)
        assert b"10001" not in raw  # the account id
        assert not re.search(rb"\d+\s*,\s*\d+", raw)  # no [person, account] pair
    link = neighbour.recipient_link(registry_person)
    page = client.get(link)
    assert page.status_code == 200 and mask_name(registry_person.name) in text(page)


def test_an_old_signed_link_says_it_no_longer_works(client, monkeypatch, app, registry_person):
    _neighbour(client, monkeypatch, registry_person)
    old = URLSafeTimedSerializer(SECRET, salt="sanggahan-penerima").dumps([registry_person.id, 10001])
    response = client.get(f"/sanggahan/baru/{old}")
    assert response.status_code == 404
    assert OLD_LINK_SAYS in text(response)


def test_a_link_older_than_a_day_or_changed_says_so(client, monkeypatch, app, registry_person):
    neighbour = _neighbour(client, monkeypatch, registry_person)
    with app.app_context():
        stale = token_for(neighbour.account, registry_person.id, now=time.time() - TOKEN_MAX_AGE - 60)
    assert OLD_LINK_SAYS in text(client.get(f"/sanggahan/baru/{stale}"))
    link = neighbour.recipient_link(registry_person)
    changed = link[:-2] + ("AA" if link[-2:] != "AA" else "BB")
    response = client.get(changed)
    assert response.status_code == 404 and OLD_LINK_SAYS in text(response)
