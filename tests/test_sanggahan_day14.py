"""The day-14 rule: an objection the pemda has not handled within 14 days is
upheld (the reported recipient declared not eligible) by a periodic job,
once, with an audit row; the date is shown beforehand to citizen and officer."""

from datetime import datetime, timedelta

import pytest

from webapp import clock
from webapp.petugas.models import AuditLog
from webapp.petugas.objections import apply_objection_deadlines
from webapp.sanggahan import services
from webapp.sanggahan.models import Objection

from .test_petugas_support import Officer
from .test_sanggahan import Neighbour, text


@pytest.fixture
def neighbour(client, monkeypatch, registry_person):
    return Neighbour(client, monkeypatch).sign_in(registry_person.desa_code)


def sent_days_ago(neighbour, person, days, reason="pindah"):
    return services.create(neighbour.account, person, services.SANGGAH, reason, "Sudah pindah", True,
                           today=clock.today() - timedelta(days=days))


def test_a_lapsed_objection_is_upheld_once_with_an_audit_row(neighbour, registry_person):
    late = sent_days_ago(neighbour, registry_person, 15)
    assert apply_objection_deadlines() == 1
    late = Objection.get_by_id(late.id)
    assert late.status == services.UPHELD and late.decided_auto and late.decided_by is None
    assert all(e.status == "TIDAK" and e.stage == "DIHENTIKAN" for e in services.covered(registry_person))
    rows = list(AuditLog.select().where(AuditLog.action == "sanggahan_otomatis"))
    assert [(r.object_id, r.actor_role, r.detail) for r in rows] == [
        (late.public_id, "sistem", "hari_14:diterima")]
    # Idempotent: a second (and third) run changes nothing and logs nothing.
    decided_at = late.decided_at
    assert apply_objection_deadlines() == 0 and apply_objection_deadlines() == 0
    assert Objection.get_by_id(late.id).decided_at == decided_at
    assert AuditLog.select().where(AuditLog.action == "sanggahan_otomatis").count() == 1
    page = text(neighbour.client.get(f"/sanggahan/{late.public_id}"))
    assert "Otomatis: tidak ditindaklanjuti" in page


def test_within_the_window_and_decided_ones_are_left_alone(neighbour, registry_person):
    fresh = sent_days_ago(neighbour, registry_person, 14)  # due today: the pemda still has today
    assert apply_objection_deadlines() == 0
    assert Objection.get_by_id(fresh.id).status == services.PENDING
    services.dismiss(fresh, None, "Masih layak")
    Objection.update(due_date=clock.today() - timedelta(days=30)).where(Objection.id == fresh.id).execute()
    assert apply_objection_deadlines() == 0
    assert Objection.get_by_id(fresh.id).status == services.DISMISSED


@pytest.mark.app_config(SANGGAHAN_LAPSE_OUTCOME=None)
def test_the_rule_can_be_switched_off(neighbour, registry_person):
    late = sent_days_ago(neighbour, registry_person, 40)
    assert apply_objection_deadlines() == 0
    assert Objection.get_by_id(late.id).status == services.PENDING
    page = text(neighbour.client.get(f"/sanggahan/{late.public_id}"))
    assert "Dianggap diterima" not in page


@pytest.mark.app_config(SANGGAHAN_HANDLING_DAYS=30)
def test_the_window_is_configurable_and_shown_as_dates(app, runner, neighbour, registry_person):
    objection = sent_days_ago(neighbour, registry_person, 0)
    due = clock.today() + timedelta(days=30)
    assert objection.due_date == due
    lapse = (due + timedelta(days=1)).strftime("%d-%m-%Y")
    assert lapse in text(neighbour.client.get(f"/sanggahan/{objection.public_id}"))
    officer = Officer(app, runner, "verif@contoh.test", "dinsos_verifikator", "32.76").sign_in()
    assert f"diterima otomatis {lapse}" in text(officer.get("/petugas/sanggahan"))
    detail = text(officer.get(f"/petugas/sanggahan/{objection.public_id}"))
    assert "Diterima otomatis bila belum diputuskan" in detail and lapse in detail


def test_the_huey_periodic_task_runs_the_rule(app, neighbour, registry_person):
    late = sent_days_ago(neighbour, registry_person, 20)
    huey = app.extensions["huey"]
    due = {task.name for task in huey.read_periodic(datetime(2026, 1, 1, 3, 7))}
    assert "objection_deadlines" in due
    # A minute later only the every-minute hand-off of mail kept while Redis was down.
    later = {task.name.rsplit(".", 1)[-1] for task in huey.read_periodic(datetime(2026, 1, 1, 3, 8))}
    assert "objection_deadlines" not in later and later <= {"flush_pending_mail"}
    app.extensions["huey_tasks"]["objection_deadlines"]()  # immediate mode: runs inline
    assert Objection.get_by_id(late.id).status == services.UPHELD
