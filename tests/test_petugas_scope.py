"""The region rule on every officer endpoint: an officer of region A asking
for a record of region B gets 404, and the attempt is in the audit log (ids
only). Lists and the export never show region B."""


import pytest

from webapp import clock
from webapp.akun.models import OFFICER, Account, Photo
from webapp.db import flask_db
from webapp.petugas.models import AuditLog, ImportJob, Musyawarah, StageRecord, VisitPhoto
from webapp.registry.models import Person
from webapp.sanggahan import services as sanggahan
from webapp.usulan import services as usulan
from webapp.usulan.models import Proposal

from .test_petugas_support import DESA, OTHER_DESA, Officer, citizen, sent_proposal, text

OTHER_NIK = "3201011708750005"  # Kabupaten Bogor (synthetic)
OTHER_KK = "3201010101200042"


@pytest.fixture
def world(app, runner):
    """Officers of Kota Depok (A) and records of both Depok and Bogor (B)."""
    officers = {
        "operator": Officer(app, runner, "operator@contoh.test", "operator_desa", DESA).sign_in(),
        "verifikator": Officer(app, runner, "verifikator@contoh.test", "dinsos_verifikator",
                               "32.76").sign_in(),
        "kepala": Officer(app, runner, "kepala@contoh.test", "dinsos_kepala", "32.76").sign_in(),
        "pemda": Officer(app, runner, "pemda@contoh.test", "pemda", "32.76").sign_in(),
        "bogor": Officer(app, runner, "bogor@contoh.test", "dinsos_kepala", "32.01").sign_in(),
    }
    home = sent_proposal(app, citizen(app))
    away_citizen = citizen(app, email="warga.bogor@contoh.test", nik=OTHER_NIK, desa=OTHER_DESA)
    away = sent_proposal(app, away_citizen, desa=OTHER_DESA, kk=OTHER_KK, nik=OTHER_NIK)
    with app.test_request_context():
        Account.update(state=OFFICER).where(Account.id == away_citizen.id).execute()
        Photo.create(account=away_citizen.id, kind="ktp", name="akun/ktp.jpg")
        proposal = Proposal.get(Proposal.public_id == away)
        bogor_officer = Account.get(Account.email == "bogor@contoh.test")
        meeting = Musyawarah.create(desa_code=OTHER_DESA, held_on=clock.today(),
                                    berita_acara="musyawarah/x.jpg", officer_id=bogor_officer.id)
        record = StageRecord.create(proposal=proposal, stage=usulan.VERIFIKASI, held_on=clock.today(),
                                    officer_id=bogor_officer.id)
        photo = VisitPhoto.create(record=record, stored_name="kunjungan/x.jpg")
        person = Person.select().where(Person.desa.startswith("32.01.")).first()
        if person is None:  # the synthetic registry may hold nobody in Bogor: move one there
            person = Person.select().where(Person.desa.startswith("32.76.")).first()
            Person.update(desa=OTHER_DESA).where(Person.id == person.id).execute()
        objection = sanggahan.create(away_citizen, person, "sanggah", "meninggal", "", True)
        job = ImportJob.create(officer_id=bogor_officer.id)
        ids = {"proposal": away, "home": home, "account": away_citizen.public_id,
               "meeting": meeting.public_id, "photo": photo.public_id, "objection": objection.public_id,
               "job": job.public_id}
        flask_db.database.close()
    return officers, ids


# (officer, method, path) for every endpoint that takes an id.
ENDPOINTS = [
    ("operator", "GET", "/petugas/usulan/{proposal}"),
    ("verifikator", "GET", "/petugas/usulan/{proposal}"),
    ("pemda", "GET", "/petugas/usulan/{proposal}"),
    ("kepala", "GET", "/petugas/usulan/{proposal}"),
    ("operator", "GET", "/petugas/usulan/{proposal}/dokumen/ektp"),
    ("verifikator", "GET", "/petugas/usulan/{proposal}/dokumen/kk"),
    ("operator", "POST", "/petugas/usulan/{proposal}/putusan"),
    ("pemda", "POST", "/petugas/usulan/{proposal}/putusan"),
    ("verifikator", "POST", "/petugas/usulan/{proposal}/kunjungan"),
    ("verifikator", "GET", "/petugas/kunjungan/{photo}"),
    ("operator", "GET", "/petugas/musyawarah/{meeting}/berita-acara"),
    ("verifikator", "GET", "/petugas/akun/{account}"),
    ("kepala", "GET", "/petugas/akun/{account}/foto/ktp"),
    ("verifikator", "POST", "/petugas/akun/{account}/putusan"),
    ("verifikator", "GET", "/petugas/sanggahan/{objection}"),
    ("kepala", "GET", "/petugas/sanggahan/{objection}/foto"),
    ("verifikator", "POST", "/petugas/sanggahan/{objection}/putusan"),
    ("kepala", "GET", "/petugas/impor/{job}"),
]


def denied_count(app):
    with app.app_context():
        count = AuditLog.select().where(AuditLog.action == "akses_ditolak").count()
        flask_db.database.close()
    return count


@pytest.mark.parametrize(("who", "method", "path"), ENDPOINTS)
def test_another_regions_record_is_404_and_logged(app, world, who, method, path):
    officers, ids = world
    officer = officers[who]
    before = denied_count(app)
    url = path.format(**ids)
    if method == "GET":
        response = officer.get(url)
    else:
        response = officer.post(url, {"keputusan": "tolak", "catatan": "x", "versi": "1",
                                      "tanggal": clock.today().isoformat()})
    assert response.status_code == 404, text(response)
    assert denied_count(app) == before + 1
    with app.app_context():
        row = AuditLog.select().order_by(AuditLog.id.desc()).first()
        assert row.actor_role == officer.role and row.object_id in url and row.ip
        flask_db.database.close()


def test_nothing_was_changed_by_the_refused_posts(app, world):
    officers, ids = world
    officers["operator"].post(f"/petugas/usulan/{ids['proposal']}/putusan",
                              {"keputusan": "tolak", "catatan": "x", "versi": "1"})
    officers["verifikator"].post(f"/petugas/akun/{ids['account']}/putusan", {"keputusan": "setujui"})
    with app.app_context():
        assert Proposal.get(Proposal.public_id == ids["proposal"]).status == usulan.DIAJUKAN
        assert Account.get(Account.public_id == ids["account"]).state == OFFICER
        flask_db.database.close()


def test_own_region_record_opens(world):
    officers, ids = world
    assert officers["operator"].get(f"/petugas/usulan/{ids['home']}").status_code == 200
    # The same record is 404 for Bogor's officer.
    assert officers["bogor"].get(f"/petugas/usulan/{ids['home']}").status_code == 404
    assert officers["bogor"].get(f"/petugas/usulan/{ids['proposal']}").status_code == 200


@pytest.mark.parametrize(("who", "path", "hidden"), [
    ("operator", "/petugas/usulan", "proposal"),
    ("kepala", "/petugas/usulan?tahap=diajukan", "proposal"),
    ("verifikator", "/petugas/akun", "account"),
    ("verifikator", "/petugas/sanggahan", "objection"),
    ("operator", "/petugas/musyawarah", "meeting"),
])
def test_lists_show_only_the_own_region(world, who, path, hidden):
    officers, ids = world
    response = officers[who].get(path)
    assert response.status_code == 200
    assert ids[hidden] not in text(response)


def test_desa_filter_cannot_reach_outside_the_region(app, world):
    officers, ids = world
    response = officers["kepala"].get(f"/petugas/usulan?desa={OTHER_DESA}")
    assert response.status_code == 404 and ids["proposal"] not in text(response)
    with app.app_context():
        row = AuditLog.select().where(AuditLog.action == "akses_ditolak").order_by(AuditLog.id.desc()).get()
        flask_db.database.close()
    assert row.object_type == "wilayah" and row.object_id == OTHER_DESA


def test_export_and_dashboard_and_audit_stay_in_region(app, world):
    officers, ids = world
    csv_text = text(officers["kepala"].get(f"/petugas/ekspor.csv?dari=2000-01-01&sampai={clock.today()}"))
    with app.app_context():
        away = Proposal.get(Proposal.public_id == ids["proposal"]).receipt_no
        home = Proposal.get(Proposal.public_id == ids["home"]).receipt_no
        flask_db.database.close()
    assert home in csv_text and away not in csv_text
    officers["bogor"].get(f"/petugas/usulan/{ids['home']}")  # a denied attempt in Bogor's name
    audit = text(officers["kepala"].get("/petugas/audit"))
    assert "32.01" not in audit


def test_other_roles_and_citizens_are_kept_out(app, world, akun):
    officers, _ids = world
    assert officers["operator"].get("/petugas/sanggahan").status_code == 403
    # The desa operator verifies accounts of its desa (issue #16); pemda does not.
    assert officers["pemda"].get("/petugas/akun").status_code == 403
    assert officers["verifikator"].get("/petugas/audit").status_code == 403
    assert officers["pemda"].get("/petugas/impor").status_code == 403
    assert officers["verifikator"].get("/petugas/musyawarah").status_code == 403
    signed_out = app.test_client().get("/petugas/")
    assert signed_out.status_code == 302 and "/akun/masuk" in signed_out.headers["Location"]
    citizen(app, email="biasa@contoh.test", nik="3276061708750099")
    response = akun.sign_in("biasa@contoh.test")
    assert response.status_code in (302, 303) and "/petugas" not in response.headers["Location"]
    assert akun.client.get("/petugas/").status_code == 403
