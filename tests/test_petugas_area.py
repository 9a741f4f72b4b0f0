"""Choosing a part of the officer's region: the export (and the proposal
queue) by kecamatan or desa, through scope.area_for / scope.events_for; a
code outside the region is a logged 404."""

import csv
import io
import re

import pytest

from webapp import clock
from webapp.db import flask_db
from webapp.petugas.models import AuditLog

from .test_petugas_support import DESA, OTHER_DESA, Officer, citizen, sent_proposal, text

KUKUSAN = "32.76.06.1002"  # kecamatan Beji, like DESA
PANCORAN_MAS = "32.76.01.1006"  # kecamatan Pancoran Mas


@pytest.fixture
def three(app):
    """Proposals in Beji and Kukusan (kecamatan Beji) and in Depok (kecamatan Pancoran Mas)."""
    person = citizen(app)
    return {
        DESA: sent_proposal(app, person),
        KUKUSAN: sent_proposal(app, person, desa=KUKUSAN, kk="3276060101200043", nik="3276061708750011"),
        PANCORAN_MAS: sent_proposal(app, person, desa=PANCORAN_MAS, kk="3276060101200044",
                                    nik="3276061708750012"),
    }


@pytest.fixture
def kepala(app, runner):
    return Officer(app, runner, "kepala@contoh.test", "dinsos_kepala", "32.76").sign_in()


def export(officer, **area):
    today = clock.today()
    query = "&".join(f"{k}={v}" for k, v in {"dari": today, "sampai": today, **area}.items())
    response = officer.get(f"/petugas/ekspor.csv?{query}")
    assert response.status_code == 200, text(response)
    return {row["kode_desa"] for row in csv.DictReader(io.StringIO(text(response)))}


def select(page, level):
    return re.search(rf'<select id="wilayah-{level}" name="{level}">(.*?)</select>', page, re.S).group(1)


def denials(app):
    with app.app_context():
        n = AuditLog.select().where(AuditLog.action == "akses_ditolak").count()
        flask_db.database.close()
    return n


def test_export_by_kecamatan_or_desa_inside_the_region(app, kepala, three):
    assert export(kepala) == {DESA, KUKUSAN, PANCORAN_MAS}
    assert export(kepala, kecamatan="32.76.06") == {DESA, KUKUSAN}
    assert export(kepala, kecamatan="32.76.06", desa=KUKUSAN) == {KUKUSAN}
    assert export(kepala, desa=PANCORAN_MAS) == {PANCORAN_MAS}  # the kecamatan follows from the code
    # A desa that does not fit the chosen kecamatan (changed without JavaScript) is dropped.
    assert export(kepala, kecamatan="32.76.01", desa=KUKUSAN) == {PANCORAN_MAS}
    with app.app_context():
        details = [r.detail for r in AuditLog.select().where(AuditLog.action == "ekspor")]
        flask_db.database.close()
    assert any(d.endswith(" 32.76.06") for d in details)


@pytest.mark.parametrize("args", ["kecamatan=32.01.01", f"desa={OTHER_DESA}", "desa=31.71.01.1001",
                                  "provinsi=31", "kecamatan=32.760.1"])
def test_export_of_a_region_outside_the_scope_is_a_logged_404(app, kepala, three, args):
    today = clock.today()
    before = denials(app)
    response = kepala.get(f"/petugas/ekspor.csv?dari={today}&sampai={today}&{args}")
    assert response.status_code == 404
    assert denials(app) == before + 1
    assert kepala.get(f"/petugas/ekspor?{args}").status_code == 404


def test_export_form_offers_the_regions_inside_the_scope(app, runner, kepala):
    page = text(kepala.get("/petugas/ekspor"))
    kecamatan = select(page, "kecamatan")
    assert '<option value="32.76.06">Beji</option>' in kecamatan and "32.01" not in kecamatan
    assert 'name="desa"' not in page or "<option value=\"32.76.06.1002\"" not in page
    # Without JavaScript: "Pilih wilayah" comes back with the desa of the kecamatan, dates kept.
    page = text(kepala.get(f"/petugas/ekspor?dari={clock.today()}&sampai={clock.today()}&kecamatan=32.76.06"))
    assert '<option value="32.76.06" selected>Beji</option>' in page
    assert '<option value="32.76.06.1002">Kukusan</option>' in page
    assert f'value="{clock.today()}"' in page
    # An operator's region is one desa: nothing to choose.
    operator = Officer(app, runner, "operator@contoh.test", "operator_desa", DESA).sign_in()
    assert 'id="wilayah-' not in text(operator.get("/petugas/ekspor"))
    assert operator.get(f"/petugas/ekspor?desa={KUKUSAN}").status_code == 404


# -- the proposal queue --------------------------------------------------------
def receipts(app, pids):
    from webapp.usulan.models import Proposal

    with app.app_context():
        query = Proposal.select().where(Proposal.public_id.in_(list(pids)))
        found = {p.public_id: p.receipt_no for p in query}
        flask_db.database.close()
    return found


def listed(officer, query, numbers):
    page = text(officer.get(f"/petugas/usulan?{query}"))
    return {code for code, number in numbers.items() if number in page}


def test_queue_filters_by_a_desa_chosen_from_a_select(app, kepala, three):
    numbers = {code: receipts(app, [pid])[pid] for code, pid in three.items()}
    page = text(kepala.get("/petugas/usulan"))
    assert 'name="desa" value=""' not in page and 'inputmode="decimal"' not in page  # no free-text code box
    kecamatan = select(page, "kecamatan")
    assert '<option value="32.76.06">Beji</option>' in kecamatan
    assert listed(kepala, "kecamatan=32.76.06", numbers) == {DESA, KUKUSAN}
    page = text(kepala.get("/petugas/usulan?kecamatan=32.76.06"))
    desa = select(page, "desa")
    assert '<option value="32.76.06.1002">Kukusan</option>' in desa and "32.76.01" not in desa
    assert listed(kepala, f"kecamatan=32.76.06&desa={KUKUSAN}", numbers) == {KUKUSAN}
    assert listed(kepala, f"desa={PANCORAN_MAS}", numbers) == {PANCORAN_MAS}  # an old bookmark still works
    assert listed(kepala, "", numbers) == {DESA, KUKUSAN, PANCORAN_MAS}


def test_overdue_only_works_across_stages(app, kepala, three):
    from datetime import timedelta

    from webapp.usulan import services as usulan
    from webapp.usulan.models import Proposal

    numbers = {code: receipts(app, [pid])[pid] for code, pid in three.items()}
    now = clock.utcnow()
    with app.app_context():
        # diajukan for 10 days (deadline 7): overdue; musyawarah for 10 days (30): not; for 40 days: overdue.
        for code, status, days in ((DESA, usulan.DIAJUKAN, 10), (KUKUSAN, usulan.MUSYAWARAH, 10),
                                   (PANCORAN_MAS, usulan.MUSYAWARAH, 40)):
            Proposal.update(status=status, updated_at=now - timedelta(days=days)).where(
                Proposal.public_id == three[code]).execute()
        flask_db.database.close()
    assert listed(kepala, "terlambat=1", numbers) == {DESA, PANCORAN_MAS}
    assert listed(kepala, "tahap=musyawarah&terlambat=1", numbers) == {PANCORAN_MAS}
    assert listed(kepala, "tahap=musyawarah", numbers) == {KUKUSAN, PANCORAN_MAS}
    page = text(kepala.get("/petugas/usulan?terlambat=1"))
    assert 'name="terlambat" value="1" checked' in page and page.count("Terlambat</strong>") == 2
