"""The audit log: officers' failed passwords (never a citizen's, never the
identifier itself), who acted (the officer's e-mail, not an internal id) and
the dashboard's "decisions this month" on the log's own clock (UTC)."""

import re
from datetime import datetime

import pytest

from webapp.akun.models import Account
from webapp.db import flask_db
from webapp.petugas import dashboard as petugas_views
from webapp.petugas.models import AuditLog

from .conftest import form_fields
from .test_petugas_support import Officer, citizen, forget_csrf, text


@pytest.fixture
def kepala(app, runner):
    return Officer(app, runner, "kepala@contoh.test", "dinsos_kepala", "32.76").sign_in()


def failures(app):
    with app.app_context():
        rows = list(AuditLog.select().where(AuditLog.action == "masuk_gagal"))
        flask_db.database.close()
    return rows


def wrong_password(app, identifier):
    client = app.test_client()
    forget_csrf()
    csrf = form_fields(text(client.get("/akun/masuk")))[0]
    forget_csrf()
    return client.post("/akun/masuk", data={"csrf_token": csrf, "identitas": identifier,
                                            "password": "bukan-sandinya-123"})


def test_an_officers_wrong_password_is_audited_without_the_identifier(app, runner):
    officer = Officer(app, runner, "operator@contoh.test", "operator_desa", "32.76.06.1001")
    assert officer.password_step(password="salah-sekali-sandi").status_code == 422
    with app.app_context():
        account = Account.get(Account.email == officer.email)
        flask_db.database.close()
    (row,) = failures(app)
    assert row.actor_id == account.id and row.actor_role == "operator_desa"
    assert row.object_id == account.public_id and row.detail == "sandi"
    assert row.region_code == "32.76.06.1001"
    joined = " ".join((row.object_id, row.detail, row.region_code))
    assert "operator@" not in joined and account.nik not in joined
    # By NIK as well; after the fifth wrong try the detail says locked.
    for _ in range(4):
        wrong_password(app, account.nik)
    assert [r.detail for r in failures(app)][-1] == "sandi:terkunci"
    assert all(r.actor_id == account.id for r in failures(app))


def test_a_citizens_or_an_unknown_wrong_password_is_not_audited(app):
    person = citizen(app)
    assert wrong_password(app, person.email).status_code == 422
    assert wrong_password(app, person.nik).status_code == 422
    assert wrong_password(app, "tidak.ada@contoh.test").status_code == 422
    with app.app_context():
        assert AuditLog.select().count() == 0
        flask_db.database.close()


def test_who_acted_shows_the_officers_email_not_an_internal_id(app, runner, kepala):
    operator = Officer(app, runner, "operator@contoh.test", "operator_desa", "32.76.06.1001").sign_in()
    operator.get("/petugas/usulan/tidak-ada")  # a denied attempt, by the operator
    page = text(kepala.get("/petugas/audit?aksi=akses_ditolak"))
    row = re.search(r"<tr><td>[^<]*</td><td>(.*?)</td><td>akses_ditolak</td>", page, re.S).group(1)
    assert "operator@contoh.test" in row and "Operator desa/kelurahan" in row
    assert "#" not in row
    # A citizen's data never shows, even if a row named a citizen's id.
    person = citizen(app)
    with app.app_context():
        AuditLog.create(actor_id=person.id, actor_role="warga", action="uji", region_code="32.76.06.1001")
        flask_db.database.close()
    page = text(kepala.get("/petugas/audit?aksi=uji"))
    assert person.email not in page and person.nik not in page and person.name not in page


def _decision(app, at):
    with app.app_context():
        AuditLog.create(at=at, actor_id=None, actor_role="operator_desa", action="putusan_usulan",
                        object_type="usulan", region_code="32.76.06.1001", detail="diajukan:lanjut")
        flask_db.database.close()


def test_decisions_this_month_start_at_midnight_utc_in_the_first_hours(app, kepala):
    from webapp.usulan import services as usulan

    now = datetime(2026, 12, 1, 2, 30)  # UTC, 09:30 in Jakarta
    _decision(app, datetime(2026, 11, 30, 20, 0))  # already 1 December in Jakarta, but November in UTC
    _decision(app, datetime(2026, 12, 1, 0, 15))
    with app.app_context():
        officer = Account.get(Account.email == kepala.email)
        counts = petugas_views.decisions_this_month(officer, now=now)
        flask_db.database.close()
    assert counts[usulan.FORWARD] == 1 and sum(counts.values()) == 1


class _ServerClock(datetime):
    """datetime whose now() is a fixed local time of the server (naive)."""

    local = None

    @classmethod
    def now(cls, tz=None):
        return cls.local if tz is None else super().now(tz)


@pytest.mark.parametrize("utc_now, local_now, counted, not_counted", [
    # A server in Jakarta (UTC+7) at 03:00 on 1 December: still November in UTC.
    (datetime(2026, 11, 30, 20, 0), datetime(2026, 12, 1, 3, 0),
     datetime(2026, 11, 30, 19, 0), datetime(2026, 10, 31, 23, 0)),
    # A server at UTC-5 at 21:00 on 30 November: already December in UTC.
    (datetime(2026, 12, 1, 2, 0), datetime(2026, 11, 30, 21, 0),
     datetime(2026, 12, 1, 0, 30), datetime(2026, 11, 30, 20, 0)),
])
def test_dashboard_month_is_the_utc_month_in_its_first_hours(app, kepala, monkeypatch,
                                                              utc_now, local_now, counted, not_counted):
    """The page itself: the month of AuditLog.at (UTC), whatever the
    server's local clock says in the first hours of a month."""
    _decision(app, counted)
    _decision(app, not_counted)
    monkeypatch.setattr(_ServerClock, "local", local_now)
    monkeypatch.setattr(petugas_views, "utcnow", lambda: utc_now, raising=False)
    page = text(kepala.get("/petugas/"))
    chart = page[page.index('id="chart-decisions"'):]
    assert '<th scope="row">Disetujui/diteruskan</th><td>1</td>' in chart
