"""Account verification and objection queues; an upheld objection removes
the recipient from the lookup; registry import all or nothing; export and
audit log."""

import csv
import io
import re

import pytest

from webapp import clock
from webapp.akun.models import ACTIVE, OFFICER, REJECTED, Account
from webapp.db import flask_db
from webapp.petugas.models import AuditLog, ImportJob, ImportUpload
from webapp.registry.models import Enrollment, Household, Person
from webapp.registry.programs import quarter_of
from webapp.sanggahan import services as sanggahan

from .conftest import Lookup
from .test_petugas_support import DESA, Officer, citizen, sent_proposal, text

HEADER = ("no_kk,nik,nama,tanggal_lahir,jenis_kelamin,hubungan,kode_desa,alamat,desil,program,tahun,"
          "triwulan,status,tahap\n")
GOOD_ROWS = HEADER + (
    "3276060101300011,3276061505700011,Slamet Riyadi,1970-05-15,L,Kepala Keluarga,32.76.06.1001,"
    "Jl. Contoh 1,2,PKH,{y},{q},YA,SP2D\n"
    "3276060101300011,3276066208750012,Wati Lestari,1975-08-22,P,Istri,32.76.06.1001,"
    "Jl. Contoh 1,2,PBI-JK,{y},{q},YA,AKTIF\n")
# Birth date not the NIK's, and desil 11: line 4 of the file.
BAD_ROW = ("3276060101300012,3276061505700099,Darmo,1961-01-03,L,Kepala Keluarga,32.76.06.1001,"
           "Gg. 4,11,PKH,{y},{q},YA,\n")


def csv_file(bad=False):
    y, q = quarter_of(clock.today())
    body = GOOD_ROWS.format(y=y, q=q) + (BAD_ROW.format(y=y, q=q) if bad else "")
    return body.encode()


@pytest.fixture
def verifikator(app, runner):
    return Officer(app, runner, "verifikator@contoh.test", "dinsos_verifikator", "32.76").sign_in()


@pytest.fixture
def kepala(app, runner):
    return Officer(app, runner, "kepala@contoh.test", "dinsos_kepala", "32.76").sign_in()


def recipient(app):
    """A synthetic head of household in Beji receiving something this quarter."""
    from webapp.registry.demo import examples

    with app.app_context():
        name, nik, desa, _desa_name = examples(limit=1)[0]
        person = Person.get(Person.nik == nik)
        flask_db.database.close()
    return person, name, nik, desa


def test_upheld_objection_removes_the_recipient_from_the_lookup(app, verifikator, mail_outbox):
    person, name, nik, desa = recipient(app)
    lookup = Lookup(app.test_client())
    assert 'class="status yes"' in text(lookup.by_nik(nik))
    reporter = citizen(app, email="pelapor@contoh.test")
    with app.test_request_context():
        objection = sanggahan.create(reporter, person, "sanggah", "meninggal", "Sudah wafat bulan lalu", True)
        flask_db.database.close()
    queue = text(verifikator.get("/petugas/sanggahan"))
    assert objection.public_id in queue
    response = verifikator.post(f"/petugas/sanggahan/{objection.public_id}/putusan", {"keputusan": "terima"},
                                csrf_from=f"/petugas/sanggahan/{objection.public_id}")
    assert response.status_code == 303, text(response)
    after = text(lookup.by_nik(nik))
    assert 'class="status yes"' not in after and "tercatat sudah meninggal dunia" in after
    assert "EXCLUDE" not in after
    assert "diterima" in mail_outbox.last().get_content()
    again = verifikator.post(f"/petugas/sanggahan/{objection.public_id}/putusan", {"keputusan": "tolak",
                                                                                  "catatan": "x"})
    assert again.status_code == 409


def test_upheld_objection_also_ends_next_periods_enrollment(app, verifikator):
    """A household approved through a proposal is enrolled for the next period."""
    from webapp.petugas.integrate import enroll

    person, _name, nik, _desa = recipient(app)
    with app.test_request_context():
        year, quarter = quarter_of(clock.today())
        nxt = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
        enroll(person.household, None, "BLT", *nxt)
        reporter = citizen(app, email="pelapor@contoh.test")
        objection = sanggahan.create(reporter, person, "sanggah", "pindah", "", True)
        flask_db.database.close()
    verifikator.post(f"/petugas/sanggahan/{objection.public_id}/putusan", {"keputusan": "terima"})
    with app.app_context():
        rows = Enrollment.select().where((Enrollment.household == person.household_id)
                                         & (Enrollment.program == "BLT"))
        assert {(e.status, e.ended_reason) for e in rows} == {("TIDAK", "EXCLUDE – PINDAH")}
        flask_db.database.close()


def test_dismissed_objection_tells_the_reporter(app, verifikator, mail_outbox):
    person, *_ = recipient(app)
    reporter = citizen(app, email="pelapor@contoh.test")
    with app.test_request_context():
        objection = sanggahan.create(reporter, person, "sanggah", "pindah", "", True)
        flask_db.database.close()
    url = f"/petugas/sanggahan/{objection.public_id}/putusan"
    assert verifikator.post(url, {"keputusan": "tolak"}).status_code == 422
    assert verifikator.post(url, {"keputusan": "tolak", "catatan": "Masih layak menerima"}).status_code == 303
    message = mail_outbox.last()
    assert message["To"] == "pelapor@contoh.test" and "Masih layak menerima" in message.get_content()


def test_withdrawal_is_applied_the_same_way(app, verifikator):
    person, _name, nik, _desa = recipient(app)
    with app.test_request_context():
        account = citizen(app, email="penerima@contoh.test")
        program = next(iter(sanggahan.covered(person))).program_code
        objection = sanggahan.create(account, person, sanggahan.MUNDUR, "mundur", "", True,
                                     program=program)
        flask_db.database.close()
    verifikator.post(f"/petugas/sanggahan/{objection.public_id}/putusan", {"keputusan": "terima"})
    after = text(Lookup(app.test_client()).by_nik(nik))
    assert "sudah mengundurkan diri sebagai penerima" in after and "EXCLUDE" not in after


@pytest.mark.parametrize(("decision", "reason", "state", "says"), [
    ("setujui", "", ACTIVE, "sekarang aktif"),
    ("tolak", "foto_buram", REJECTED, "Foto ulang KTP"),
])
def test_account_verification_tells_the_citizen(app, verifikator, mail_outbox, decision, reason, state, says):
    account = citizen(app, state=OFFICER)
    assert account.public_id in text(verifikator.get("/petugas/akun"))
    response = verifikator.post(f"/petugas/akun/{account.public_id}/putusan",
                                {"keputusan": decision, "alasan": reason})
    assert response.status_code == 303, text(response)
    with app.app_context():
        assert Account.get_by_id(account.id).state == state
        flask_db.database.close()
    assert says in mail_outbox.last().get_content()


def test_account_rejection_needs_a_fixed_reason(app, verifikator):
    account = citizen(app, state=OFFICER)
    response = verifikator.post(f"/petugas/akun/{account.public_id}/putusan",
                                {"keputusan": "tolak", "alasan": "karena saya mau"})
    assert response.status_code == 422 and "Pilih alasan" in text(response)


def counts(app):
    with app.app_context():
        result = (Household.select().count(), Person.select().count(), Enrollment.select().count())
        flask_db.database.close()
    return result


def test_web_import_with_a_bad_row_applies_nothing(app, kepala):
    before = counts(app)
    response = kepala.post("/petugas/impor", {"berkas": (io.BytesIO(csv_file(bad=True)), "daftar.csv")},
                           csrf_from="/petugas/impor", content_type="multipart/form-data")
    assert response.status_code == 303
    page = text(kepala.get(response.headers["Location"]))
    assert "Tidak ada yang diimpor" in page
    assert "Baris 4" in page and "tanggal_lahir" in page
    assert counts(app) == before


def test_web_import_applies_a_good_file_and_the_lookup_finds_it(app, kepala):
    before = counts(app)
    response = kepala.post("/petugas/impor", {"berkas": (io.BytesIO(csv_file()), "daftar.csv")},
                           csrf_from="/petugas/impor", content_type="multipart/form-data")
    location = response.headers["Location"]
    fragment = kepala.get(location, headers={"HX-Request": "true"})
    body = text(fragment)
    assert "<html" not in body and 'id="kemajuan"' in body and "2 baris diimpor" in body
    assert "every 1s" not in body  # finished: the polling stops
    assert counts(app) == (before[0] + 1, before[1] + 2, before[2] + 2)
    found = text(Lookup(app.test_client()).by_name(DESA, "Wati Lestari"))
    assert "W**I L*****I" in found and 'class="status yes"' in found


def test_import_outside_the_region_is_refused(app, runner):
    bogor = Officer(app, runner, "bogor@contoh.test", "dinsos_kepala", "32.01").sign_in()
    response = bogor.post("/petugas/impor", {"berkas": (io.BytesIO(csv_file()), "daftar.csv")},
                          csrf_from="/petugas/impor", content_type="multipart/form-data")
    assert "di luar wilayah" in text(bogor.get(response.headers["Location"]))


def test_running_import_page_polls(app, kepala):
    with app.app_context():
        officer = Account.get(Account.email == "kepala@contoh.test")
        job = ImportJob.create(officer_id=officer.id, total=10, done=4, status="berjalan")
        ImportUpload.create(job=job, data=b"no_kk,nik\n")  # its input, waiting in the database
        flask_db.database.close()
    page = text(kepala.get(f"/petugas/impor/{job.public_id}"))
    assert 'hx-trigger="every 1s"' in page and "Muat ulang" in page and 'value="40"' in page


@pytest.mark.parametrize("bad", [True, False])
def test_cli_import(app, runner, tmp_path, bad):
    path = tmp_path / "daftar.csv"
    path.write_bytes(csv_file(bad=bad))
    before = counts(app)
    result = runner.invoke(args=["petugas", "impor", str(path)])
    if bad:
        assert result.exit_code != 0 and "baris 4" in result.output and counts(app) == before
    else:
        assert result.exit_code == 0 and "2 baris diimpor" in result.output
        assert counts(app)[1] == before[1] + 2


@pytest.mark.parametrize(("raw", "says"), [
    (b"nama,nik\nx,y\n", "Kolom tidak ada"),
    (b"\xff\xfe\x00\x01", "Kolom tidak ada"),
    (HEADER.encode(), "tidak berisi baris"),
])
def test_import_file_level_errors(app, raw, says):
    from webapp.petugas import importer

    with app.test_request_context():
        report = importer.run(raw)
        flask_db.database.close()
    assert not report.ok and says in report.errors[0][1]


def test_example_file_in_docs_is_valid(app):
    from pathlib import Path

    from webapp.petugas import importer

    raw = (Path(__file__).parent.parent / "docs" / "contoh-impor.csv").read_bytes()
    with app.test_request_context():
        report = importer.check(raw)
        flask_db.database.close()
    assert report.ok, report.errors


def test_export_is_scoped_and_masks_for_pemda(app, runner, kepala):
    pid = sent_proposal(app, citizen(app))
    pemda = Officer(app, runner, "pemda@contoh.test", "pemda", "32.76").sign_in()
    url = f"/petugas/ekspor.csv?dari={clock.today()}&sampai={clock.today()}"
    full = kepala.get(url)
    assert full.status_code == 200 and "attachment" in full.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(text(full))))
    assert rows and rows[0]["nik"] == "3276061708750003" and rows[0]["peristiwa"] == "diajukan"
    masked = list(csv.DictReader(io.StringIO(text(pemda.get(url)))))
    assert masked[0]["nik"].startswith("327606******") and "Budi" not in masked[0]["nama"]
    assert kepala.get("/petugas/ekspor.csv?dari=2026-13-01&sampai=x").status_code == 422
    assert pid


def test_audit_log_is_filterable_and_for_kepala(app, kepala):
    kepala.get("/petugas/usulan/tidak-ada")  # a denied attempt
    page = text(kepala.get("/petugas/audit?aksi=akses_ditolak"))
    assert "akses_ditolak" in page and "tidak-ada" in page and "masuk_sandi</td>" not in page
    assert re.search(r"<td>masuk</td>", text(kepala.get("/petugas/audit?aksi=masuk")))
    with app.app_context():
        assert AuditLog.select().where(AuditLog.action == "akses_ditolak").count() == 1
        flask_db.database.close()


@pytest.mark.parametrize("bad", [False, True])
def test_web_import_is_audited_with_counts_only(app, kepala, bad):
    kepala.post("/petugas/impor", {"berkas": (io.BytesIO(csv_file(bad=bad)), "daftar.csv")},
                csrf_from="/petugas/impor", content_type="multipart/form-data")
    with app.app_context():
        row = AuditLog.select().where(AuditLog.action.in_(["impor", "impor_ditolak"])).get()
        flask_db.database.close()
    assert row.action == ("impor_ditolak" if bad else "impor") and row.actor_role == "dinsos_kepala"
    assert row.detail == ("baris:0 salah:1" if bad else "baris:2 salah:0")
