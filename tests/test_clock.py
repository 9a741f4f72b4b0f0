"""One clock (issue #15): every stored time is naive UTC whatever the server's
time zone, and a person sees it in Asia/Jakarta (WIB, UTC+7)."""

import os
import time
from datetime import UTC, datetime, timedelta

import pytest

from webapp import clock
from webapp.retention import purge
from webapp.sanggahan import services as sanggahan
from webapp.sanggahan.models import Objection
from webapp.usulan import services as usulan
from webapp.usulan.models import Proposal

from .helpers import text
from .test_sanggahan import Neighbour
from .test_usulan import Citizen

LATE_EVENING_UTC = datetime(2026, 12, 1, 23, 30)  # 06:30 on 2 December in Jakarta


@pytest.fixture
def server_in_jakarta(monkeypatch):
    """The process's own clock runs on Jakarta time, as on a server set to WIB."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Jakarta"
    time.tzset()
    yield
    if before is None:
        os.environ.pop("TZ")
    else:
        os.environ["TZ"] = before
    time.tzset()


def _close_to_utc_now(value):
    return abs(value - datetime.now(UTC).replace(tzinfo=None)) < timedelta(minutes=1)


def test_a_stored_time_is_shown_in_jakarta():
    assert clock.local(LATE_EVENING_UTC) == datetime(2026, 12, 2, 6, 30)
    assert clock.show(LATE_EVENING_UTC) == "02-12-2026 06:30"
    assert clock.show(None) == ""


def test_a_proposal_is_stored_in_utc_and_listed_with_the_jakarta_time(
        server_in_jakarta, client, db, monkeypatch):
    citizen = Citizen(client, monkeypatch).sign_in()
    pid = citizen.started()
    proposal = Proposal.get(Proposal.public_id == pid)
    assert _close_to_utc_now(proposal.created_at) and _close_to_utc_now(proposal.updated_at)
    usulan.touch(proposal, name="Siti Aminah")
    assert _close_to_utc_now(Proposal.get_by_id(proposal.id).updated_at)

    Proposal.update(updated_at=LATE_EVENING_UTC).where(Proposal.id == proposal.id).execute()
    page = text(client.get("/usulan/"))
    assert "disimpan 02-12-2026 06:30" in page
    assert "01-12-2026" not in page


def test_an_objection_is_stored_in_utc_and_shown_with_the_jakarta_date(
        server_in_jakarta, client, db, monkeypatch, registry_person):
    neighbour = Neighbour(client, monkeypatch).sign_in(registry_person.desa_code)
    objection = sanggahan.create(neighbour.account, registry_person, sanggahan.SANGGAH, "pindah",
                                 "Sudah pindah", True)
    assert _close_to_utc_now(Objection.get_by_id(objection.id).created_at)
    Objection.update(created_at=LATE_EVENING_UTC).where(Objection.id == objection.id).execute()
    page = text(client.get(f"/sanggahan/{objection.public_id}"))
    assert "02-12-2026" in page and "01-12-2026" not in page


def test_draft_retention_counts_in_utc_on_a_jakarta_server(server_in_jakarta, app, db, monkeypatch):
    citizen = Citizen(app.test_client(), monkeypatch).sign_in()
    proposal = Proposal.get(Proposal.public_id == citizen.started())
    days = app.config["RETENTION_DRAFT_DAYS"]
    # Three hours short of its retention period: it stays, however the server's clock is set.
    almost = clock.utcnow() - timedelta(days=days) + timedelta(hours=3)
    Proposal.update(updated_at=almost).where(Proposal.id == proposal.id).execute()
    assert purge()["draf"] == 0
    assert Proposal.get_or_none(Proposal.id == proposal.id) is not None
    Proposal.update(updated_at=almost - timedelta(hours=4)).where(Proposal.id == proposal.id).execute()
    assert purge()["draf"] == 1
