"""Every POST route, signed in as an active citizen and as a national officer,
fed hostile values in every field name any template uses: never a 500
(SECURITY.md 22–23). URL ids are real records the person may act on (their
own draft, a recipient of their desa; for the officer a sent proposal, an
account and an objection waiting), so the fields are read, not refused by a
404 first."""

import re
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webapp.db import flask_db

from .conftest import form_fields, new_account, synthetic_nik
from .test_security import _rules, _url

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


@cache
def _form_field_names():
    """Every field of every WTForms form in the app, and every literal
    name="…" in the templates (hand-written inputs)."""
    from flask_wtf import FlaskForm
    from wtforms.fields.core import UnboundField

    import webapp  # noqa: F401 - imports every form module through the app factory

    names, todo = set(), [FlaskForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        for klass in cls.__mro__:
            names |= {k for k, v in vars(klass).items() if isinstance(v, UnboundField)}
    for path in TEMPLATES.rglob("*.html"):
        names |= set(re.findall(r'name="([a-z_]+)"', path.read_text()))
    return sorted(names - {"csrf_token"})

HOSTILE = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["12345", "３２７６０６４５０６９０００１", "\x00\x00", "😀" * 30, "x" * 10_000,
                     "' OR 1=1 --", "<script>alert(1)</script>", "../../etc/passwd", "-1", "99999999999",
                     "2026-02-30", "32.76.06.1001", "3276064506900001", "lanjut", "tolak", "on", ""]),
)


@pytest.fixture
def citizen_client(app, client, akun):
    with app.app_context():
        account = new_account()
        flask_db.database.close()
    akun.sign_in()
    client.real_ids = _citizen_ids(app, account)
    return client


def _citizen_ids(app, account):
    """The citizen's own draft (with a member) and a recipient token of their desa."""
    from webapp.registry.demo import examples
    from webapp.registry.models import Person
    from webapp.sanggahan.recipients import token_for
    from webapp.usulan import services
    from webapp.usulan.models import ProposalMember

    with app.test_request_context():
        proposal = services.start(account, "3276060101200913", account.nik).proposal
        member = ProposalMember.create(proposal=proposal, nik=synthetic_nik(serial="0914"),
                                       name="Anak Contoh", relationship="Anak", birth_date="2010-08-15",
                                       sex="L", occupation="Pelajar")
        person = Person.get(Person.nik == examples(limit=1)[0][1])
        ids = {"pid": proposal.public_id, "mid": member.id, "token": token_for(account, person.id)}
        flask_db.database.close()
    return ids


def _officer_ids(app):
    """A sent proposal, an account and an objection waiting for a decision."""
    from webapp.akun.models import OFFICER
    from webapp.registry.demo import examples
    from webapp.registry.models import Person
    from webapp.sanggahan import services as sanggahan

    from .test_petugas_support import citizen, sent_proposal

    proposer = citizen(app, email="pengusul.fuzz@example.com", nik=synthetic_nik(serial="0921"))
    pid = sent_proposal(app, proposer)
    waiting = citizen(app, email="menunggu.fuzz@example.com", nik=synthetic_nik(serial="0922"), state=OFFICER)
    with app.test_request_context():
        person = Person.get(Person.nik == examples(limit=1)[0][1])
        objection = sanggahan.create(proposer, person, sanggahan.SANGGAH, "pindah", "Pindah ke Bogor", True)
        ids = {"pid": pid, "aid": waiting.public_id, "oid": objection.public_id}
        flask_db.database.close()
    return ids


def _real_url(app, rule, ids):
    """The rule's URL with the ids above where it takes them (else _url's dummies)."""
    values = {name: ids[name] for name in rule.arguments if name in ids}
    if "kind" in rule.arguments:
        values["kind"] = "ktp" if rule.rule.startswith("/akun/") else "ektp"
    if "name" in rule.arguments:
        values["name"] = "nik"
    if len(values) < len(rule.arguments):
        return _url(app, rule)
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def test_there_are_many_fields_and_routes(app):
    assert len(_form_field_names()) >= 60
    assert len(_rules(app, "POST")) > 20


@pytest.fixture
def officer_client(app, runner):
    """A national (pusat) officer, signed in with password and TOTP: every
    officer route is open to them."""
    from .test_petugas_support import Officer

    client = Officer(app, runner, "pusat.fuzz@example.com", "pusat").sign_in().client
    client.real_ids = _officer_ids(app)
    return client


def _fuzz(app, client, data):
    from .test_petugas_support import forget_csrf

    rule = data.draw(st.sampled_from(_rules(app, "POST")))
    fields = data.draw(st.dictionaries(st.sampled_from(_form_field_names()), HOSTILE, max_size=8))
    forget_csrf()
    csrf, _ = form_fields(client.get("/").get_data(as_text=True))
    forget_csrf()
    response = client.post(_real_url(app, rule, client.real_ids), data={"csrf_token": csrf, **fields})
    SEEN[rule.rule].append(response.status_code)
    assert response.status_code < 500, (rule.rule, fields, response.status_code)
    assert "Traceback" not in response.get_data(as_text=True)


SEEN = defaultdict(list)  # rule → statuses answered, over the whole module


@pytest.fixture(scope="module", autouse=True)
def report_seen():
    """After both runs: how many hostile posts were made, and proof that the
    id routes read their fields (some answer other than 404)."""
    yield
    total = sum(len(v) for v in SEEN.values())
    with_ids = {rule: codes for rule, codes in SEEN.items() if "<" in rule}
    print(f"\nhostile posts: {total} on {len(SEEN)} routes; "
          f"id routes answering other than 404: {sum(any(c != 404 for c in v) for v in with_ids.values())}"
          f" of {len(with_ids)}")
    if total >= 100:  # only when the module ran whole
        assert sum(any(c != 404 for c in v) for v in with_ids.values()) >= len(with_ids) // 2, with_ids


FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(data=st.data())
def test_hostile_posts_as_a_citizen_never_fail(app, citizen_client, data):
    _fuzz(app, citizen_client, data)


@FUZZ
@given(data=st.data())
def test_hostile_posts_as_an_officer_never_fail(app, officer_client, data):
    _fuzz(app, officer_client, data)

