"""Every POST route, signed in as an active citizen, fed hostile values in
every field name any template uses: never a 500 (SECURITY.md 22–23)."""

import re
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webapp.db import flask_db

from .conftest import form_fields, new_account
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
        new_account()
        flask_db.database.close()
    akun.sign_in()
    return client


def test_there_are_many_fields_and_routes(app):
    assert len(_form_field_names()) >= 60
    assert len(_rules(app, "POST")) > 20


@pytest.fixture
def officer_client(app, runner):
    """A national (pusat) officer, signed in with password and TOTP: every
    officer route is open to them."""
    from .test_petugas_support import Officer

    return Officer(app, runner, "pusat.fuzz@example.com", "pusat").sign_in().client


def _fuzz(app, client, data):
    from .test_petugas_support import forget_csrf

    rule = data.draw(st.sampled_from(_rules(app, "POST")))
    fields = data.draw(st.dictionaries(st.sampled_from(_form_field_names()), HOSTILE, max_size=8))
    forget_csrf()
    csrf, _ = form_fields(client.get("/").get_data(as_text=True))
    forget_csrf()
    response = client.post(_url(app, rule), data={"csrf_token": csrf, **fields})
    assert response.status_code < 500, (rule.rule, fields, response.status_code)
    assert "Traceback" not in response.get_data(as_text=True)


FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(data=st.data())
def test_hostile_posts_as_a_citizen_never_fail(app, citizen_client, data):
    _fuzz(app, citizen_client, data)


@FUZZ
@given(data=st.data())
def test_hostile_posts_as_an_officer_never_fail(app, officer_client, data):
    _fuzz(app, officer_client, data)

