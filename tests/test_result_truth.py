"""The result tells the truth (issue #12): PBI-JK is a health membership and
never a money stage (lookup, officer screens, import); every fact of the real
site's result row is shown and explained; every code the demo generator
writes reads as a sentence; the desil Dinas Sosial records at the home visit
is the one the lookup shows and the program gate applies; the officer's
proposal page holds everything the citizen entered, with names."""

import html as htmlmod
import re
from datetime import date

import pytest
from flask import render_template

from webapp import clock
from webapp.cek.forms import CekForm
from webapp.cek.services import lookup_by_nik
from webapp.db import flask_db
from webapp.identity import mask_name
from webapp.petugas import importer
from webapp.registry import demo
from webapp.registry.models import Enrollment, Household, Person, Program
from webapp.registry.programs import (
    DTSEN_NOTES,
    ENDED_REASONS,
    HEALTH,
    KPD_STATUSES,
    MONEY_STAGES,
    PBI_NOTES,
    STAGES,
    period_label,
    quarter_of,
)
from webapp.usulan import services as usulan
from webapp.usulan.models import Proposal

from .conftest import Lookup
from .test_petugas_flow import status_of, through_musyawarah
from .test_petugas_support import DESA, KK, NIK, WIFE_NIK, Officer, citizen, jpeg, sent_proposal, text

MONEY_WORDS = sorted({str(label) for (kind, _code), (label, _m, _n) in STAGES.items() if kind != HEALTH}
                     | {"SP2D", "Sudah Transaksi", "Dana sudah sampai"})


def plain(response_or_html):
    raw = response_or_html if isinstance(response_or_html, str) else text(response_or_html)
    return htmlmod.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", raw)))


def row_of(html, code):
    """The text of one program's row in the result table."""
    rows = re.findall(r"<tr class=\"program-[a-z]+\">(.*?)</tr>", html, re.S)
    found = [r for r in rows if re.search(rf"<th scope=\"row\">{re.escape(code)}<", r)]
    assert found, f"no row for {code}"
    return plain(found[0])


def current_enrollments(program):
    year, quarter = quarter_of(clock.today())
    return Enrollment.select().where((Enrollment.program == program) & (Enrollment.year == year)
                                     & (Enrollment.quarter == quarter))


def rendered(nik):
    """The result card exactly as the page renders it (no captcha round trip)."""
    form = CekForm(formdata=None, meta={"csrf": False}, mode="nik")
    return render_template("cek/result.html", result=lookup_by_nik(nik), form=form)


# -- PBI-JK is a membership ------------------------------------------------------

def test_pbi_jk_is_shown_as_a_membership_never_as_money(lookup, db):
    member = current_enrollments("PBI-JK").where(Enrollment.status == "YA").first()
    person = Person.get_by_id(member.person_id)
    html = text(lookup.by_nik(person.nik))
    row = row_of(html, "PBI-JK/KIS")
    assert "AKTIF" in row and "Aktif" in row and "bukan uang" in row
    assert "BPJS Kesehatan" in row and "Kartu Indonesia Sehat" in row
    if member.since:
        assert "sejak" in row
    for word in MONEY_WORDS:
        assert word not in row, word


def test_a_membership_with_a_money_stage_in_the_database_still_shows_no_money(app, db):
    """A legacy row (or a hand-edited one) with a cash stage on PBI-JK: the
    page says it cannot explain it rather than send someone to the bank."""
    member = current_enrollments("PBI-JK").first()
    person = Person.get_by_id(member.person_id)
    Enrollment.update(stage="SUDAH_TRANSAKSI", status="YA").where(Enrollment.id == member.id).execute()
    with app.test_request_context():
        row = row_of(rendered(person.nik), "PBI-JK/KIS")
    for word in MONEY_WORDS:
        assert word not in row, word


def test_an_ended_membership_reads_nonaktif_with_where_to_go(app, db):
    member = current_enrollments("PBI-JK").first()
    person = Person.get_by_id(member.person_id)
    # An upheld objection writes DIHENTIKAN on every program it covers.
    Enrollment.update(stage="DIHENTIKAN", status="TIDAK", ended_reason="EXCLUDE – MAMPU", since=None,
                      note="PEMUTAKHIRAN").where(Enrollment.id == member.id).execute()
    with app.test_request_context():
        row = row_of(rendered(person.nik), "PBI-JK/KIS")
    assert "NONAKTIF" in row and "Nonaktif" in row
    assert "Dinas Sosial" in row and "KTP dan KK" in row and "BPJS Kesehatan" in row
    assert "EXCLUDE" not in row and "Dihentikan" not in row


@pytest.mark.parametrize("stage", ["SP2D", "PENETAPAN", "SUDAH_TRANSAKSI"])
def test_an_import_giving_pbi_jk_a_money_stage_is_refused_with_its_line(app, db, stage):
    year, quarter = quarter_of(clock.today())
    raw = ("no_kk,nik,nama,tanggal_lahir,jenis_kelamin,hubungan,kode_desa,alamat,desil,program,tahun,"
           "triwulan,status,tahap\n"
           f"3276060101300011,3276061505700011,Slamet Riyadi,1970-05-15,L,Kepala Keluarga,32.76.06.1001,"
           f"Jl. Contoh 1,2,PKH,{year},{quarter},YA,SP2D\n"
           f"3276060101300011,3276061505700011,Slamet Riyadi,1970-05-15,L,Kepala Keluarga,32.76.06.1001,"
           f"Jl. Contoh 1,2,PBI-JK,{year},{quarter},YA,{stage}\n").encode()
    before = Enrollment.select().count()
    report = importer.run(raw)
    assert not report.ok
    assert [line for line, _msg in report.errors] == [3]
    message = report.errors[0][1]
    assert "PBI-JK" in message and "AKTIF, NONAKTIF" in message
    assert Enrollment.select().count() == before
    assert not Household.select().where(Household.no_kk == "3276060101300011").exists()


def test_an_import_gives_a_membership_its_start_and_keterangan(app, db):
    year, quarter = quarter_of(clock.today())
    raw = ("no_kk,nik,nama,tanggal_lahir,jenis_kelamin,hubungan,kode_desa,alamat,desil,program,tahun,"
           "triwulan,status,tahap,sejak,keterangan,keterangan_dtsen,status_kpd\n"
           f"3276060101300011,3276061505700011,Slamet Riyadi,1970-05-15,L,Kepala Keluarga,32.76.06.1001,"
           f"Jl. Contoh 1,2,PBI-JK,{year},{quarter},YA,AKTIF,2024-07-01,REAKTIVASI,BELUM_PADAN,YA\n").encode()
    assert importer.run(raw).ok
    result = lookup_by_nik("3276061505700011")
    line = result.people[0].program("PBI-JK")
    assert line.status_word == "AKTIF" and line.since == "1 Juli 2024"
    assert line.note == str(PBI_NOTES["REAKTIVASI"][0])
    assert result.people[0].dtsen_note.meaning == str(DTSEN_NOTES["BELUM_PADAN"][0])
    assert result.people[0].kpd.meaning == str(KPD_STATUSES["YA"][0])
    bad = raw.replace(b"REAKTIVASI", b"EXCLUDE").replace(b"BELUM_PADAN", b"XX")
    report = importer.run(bad)
    assert not report.ok and report.errors[0][0] == 2 and "keterangan PBI-JK" in report.errors[0][1]


# -- the real row's eleven facts -------------------------------------------------------

def test_every_fact_of_the_real_row_appears_for_a_demo_person_found_by_nik(lookup, db):
    """Masked name, desil, keterangan DTSEN, Sembako status + periode, PKH
    status + periode, PBI-JK status + periode + keterangan, status KPD."""
    year, quarter = quarter_of(clock.today())
    with_all = None
    for pbi in current_enrollments("PBI-JK").where(Enrollment.status == "YA"):
        programs = {e.program_code for e in current_enrollments("PKH").where(
            Enrollment.household == pbi.household_id)} | {e.program_code for e in current_enrollments(
                "SEMBAKO").where(Enrollment.household == pbi.household_id)}
        if programs == {"PKH", "SEMBAKO"}:
            with_all = pbi
            break
    assert with_all is not None, "the demo registry has no PKH + Sembako + PBI-JK household this quarter"
    person = Person.get_by_id(with_all.person_id)
    Person.update(dtsen_note="PERLU_PEMUTAKHIRAN", kpd_status="YA").where(Person.id == person.id).execute()
    html = text(lookup.by_nik(person.nik))
    page = plain(html)
    household = Household.get_by_id(person.household_id)
    period = period_label(year, quarter)
    assert mask_name(person.name) in page and person.name not in page
    assert f"Desil {household.desil}" in page and "1 (paling rendah) sampai 10 (paling tinggi)" in page
    assert "PKH untuk desil 1–4" in page and "BPNT/Sembako dan PBI-JK untuk desil 1–5" in page
    assert "Keterangan DTSEN" in page and str(DTSEN_NOTES["PERLU_PEMUTAKHIRAN"][0]) in page
    assert "Status KPD" in page and str(KPD_STATUSES["YA"][0]) in page
    for code in ("BPNT/Sembako", "PKH"):
        row = row_of(html, code)
        assert "YA" in row and period in row
    pbi = row_of(html, "PBI-JK/KIS")
    assert "AKTIF" in pbi and period in pbi
    assert "Keterangan:" in pbi and str(PBI_NOTES[with_all.note][0]) in pbi
    # Acronyms are spelled out at their first use, the DTSEN period explained.
    assert "Program Keluarga Harapan" in page and "Bantuan Pangan Non Tunai" in page
    assert "Data Tunggal Sosial Ekonomi Nasional" in page


def test_not_found_explains_pm(lookup):
    page = plain(lookup.by_nik("3276061708759999"))
    assert "Tidak Terdapat Peserta/PM" in page and "PM artinya Penerima Manfaat" in page


def test_the_person_looked_up_is_spoken_of_in_the_third_person(app, db):
    with app.test_request_context():
        for (_kind, _code), (label, meaning, todo) in STAGES.items():
            for said in (label, meaning, todo):
                assert not re.search(r"\bAnda\b", str(said)), said


# -- every code in words ------------------------------------------------------------------

def test_every_code_the_demo_generator_writes_renders_as_a_sentence(app, db):
    member = current_enrollments("PKH").first()
    person = Person.select().where(Person.household == member.household_id).first()
    pbi = current_enrollments("PBI-JK").first()
    insured = Person.get_by_id(pbi.person_id)
    with app.test_request_context():
        for code in demo.ENDED_CODES:
            Enrollment.update(status="TIDAK", stage="DIHENTIKAN", ended_reason=code).where(
                Enrollment.id == member.id).execute()
            page = plain(rendered(person.nik))
            assert str(ENDED_REASONS[code][0]) in page and str(ENDED_REASONS[code][1]) in page
            assert "EXCLUDE" not in page, code
        for code in demo.DTSEN_CODES:
            Person.update(dtsen_note=code).where(Person.id == person.id).execute()
            assert str(DTSEN_NOTES[code][0]) in plain(rendered(person.nik))
        for code in demo.KPD_CODES:
            Person.update(kpd_status=code).where(Person.id == person.id).execute()
            assert str(KPD_STATUSES[code][0]) in plain(rendered(person.nik))
        for code in demo.PBI_ACTIVE_NOTES + demo.PBI_INACTIVE_NOTES:
            Enrollment.update(note=code).where(Enrollment.id == pbi.id).execute()
            assert str(PBI_NOTES[code][0]) in plain(rendered(insured.nik))
        for stage, _weight in demo.STAGE_WEIGHTS:
            Enrollment.update(status="YA", stage=stage, ended_reason=None).where(
                Enrollment.id == member.id).execute()
            row = row_of(rendered(person.nik), "PKH")
            assert str(STAGES[("tunai", stage)][0]) in row
            if stage == "SP2D":  # the acronym, always with its meaning
                assert "SP2D (Surat Perintah Pencairan Dana)" in row
            else:
                assert stage not in row


def test_no_registry_code_reaches_any_found_page_of_the_demo_registry(app, db):
    """Everyone in the test registry with an ended program, or a keterangan."""
    year, quarter = quarter_of(clock.today())
    ended = (Person.select(Person.nik).join(Enrollment, on=(Enrollment.household == Person.household))
             .where(Enrollment.ended_reason.is_null(False) & (Enrollment.year == year)
                    & (Enrollment.quarter == quarter)).distinct().limit(40))
    niks = [p.nik for p in ended]
    assert niks
    with app.test_request_context():
        for nik in niks:
            page = rendered(nik)
            assert "EXCLUDE" not in page
            words = plain(page)
            for code in (*MONEY_STAGES, *DTSEN_NOTES, *KPD_STATUSES, *PBI_NOTES):
                if code in ("SP2D", "YA", "TIDAK"):
                    continue  # SP2D is spelled out where used; YA/TIDAK are the real site's words
                assert code not in words, code
            assert "SP2D" not in words or "SP2D (Surat Perintah Pencairan Dana)" in words


# -- desil at verification --------------------------------------------------------------

@pytest.fixture
def officers(app, runner):
    return {
        "operator": Officer(app, runner, "operator@contoh.test", "operator_desa", DESA).sign_in(),
        "verifikator": Officer(app, runner, "verifikator@contoh.test", "dinsos_verifikator",
                               "32.76").sign_in(),
        "pemda": Officer(app, runner, "pemda@contoh.test", "pemda", "32.76").sign_in(),
        "pusat": Officer(app, runner, "pusat@contoh.test", "pusat").sign_in(),
    }


def visit(ver, pid, **data):
    return ver.post(f"/petugas/usulan/{pid}/kunjungan",
                    {"tanggal": clock.today().isoformat(), "kondisi": ["lantai_tanah"], "catatan": "Sesuai",
                     "foto": [(jpeg(), "a.jpg")], **data},
                    csrf_from=f"/petugas/usulan/{pid}", content_type="multipart/form-data")


def test_the_visit_desil_is_flagged_then_applied_and_shown_by_the_lookup(app, officers):
    pid = sent_proposal(app, citizen(app))
    through_musyawarah(app, officers, pid)
    ver = officers["verifikator"]
    missing = visit(ver, pid, catatan="Lupa desil")
    assert missing.status_code == 422 and "Pilih desil 1–10" in plain(missing)
    assert "Lupa desil" in text(missing)  # nothing typed is lost
    no_reason = visit(ver, pid, desil="belum")
    assert no_reason.status_code == 422 and "Tulis mengapa desil belum dapat ditentukan" in plain(no_reason)
    assert visit(ver, pid, desil="5").status_code == 303
    page = plain(ver.get(f"/petugas/usulan/{pid}"))
    # PKH is for desil 1–4: flagged to the officer before approval.
    assert "Desil 5" in page and "PKH hanya untuk desil 1–4: tidak akan dicatat bila disetujui" in page
    assert "Perhatian: desil hasil verifikasi tidak memungkinkan PKH" in page
    assert "PBI-JK/KIS: sesuai desil ini" in page
    assert ver.decide(pid, "lanjut").status_code == 303
    pemda_page = plain(officers["pemda"].get(f"/petugas/usulan/{pid}"))
    assert "Desil 5" in pemda_page and "PKH hanya untuk desil 1–4" in pemda_page
    assert officers["pemda"].decide(pid, "lanjut").status_code == 303
    assert officers["pusat"].decide(pid, "lanjut").status_code == 303
    assert status_of(app, pid) == usulan.DISETUJUI
    with app.app_context():
        household = Household.get(Household.no_kk == KK)
        assert household.desil == 5
        codes = {e.program_code for e in Enrollment.select().where(Enrollment.household == household)}
        assert codes == {"PBI-JK"}
        flask_db.database.close()
    found = text(Lookup(app.test_client()).by_nik(NIK))
    assert "Desil 5" in plain(found) and "Belum ada desil" not in found
    assert "AKTIF" in row_of(found, "PBI-JK/KIS") and "TIDAK" in row_of(found, "PKH")


def test_a_desil_not_yet_assigned_is_recorded_with_its_reason_and_enrols_nothing_gated(app, officers):
    pid = sent_proposal(app, citizen(app))
    through_musyawarah(app, officers, pid)
    ver = officers["verifikator"]
    assert visit(ver, pid, desil="belum", alasan_desil="Penghuni tidak ada di rumah").status_code == 303
    page = plain(ver.get(f"/petugas/usulan/{pid}"))
    assert "Desil belum dapat ditentukan: Penghuni tidak ada di rumah" in page
    assert "PKH hanya untuk desil 1–4" in page and "PBI-JK/KIS hanya untuk desil 1–5" in page
    for who in ("verifikator", "pemda", "pusat"):
        assert officers[who].decide(pid, "lanjut").status_code == 303
    found = plain(Lookup(app.test_client()).by_nik(WIFE_NIK))
    assert "Belum ada desil" in found and "belum diberi desil" in found
    assert 'class="status yes"' not in text(Lookup(app.test_client()).by_nik(WIFE_NIK))


# -- the officer sees everything the citizen entered -----------------------------------------

def test_the_officer_proposal_page_holds_every_field_of_the_review_page(app, officers):
    from webapp.usulan.review import summary

    pid = sent_proposal(app, citizen(app))
    with app.test_request_context():
        Proposal.update(conditions="lansia,tanpa_penghasilan", sex="L",
                        birth_date=date(1975, 8, 17)).where(Proposal.public_id == pid).execute()
        proposal = Proposal.get(Proposal.public_id == pid)
        facts = summary(proposal)
        expected = [proposal.name, proposal.birth_place, "17-08-1975", facts["sex"], proposal.occupation,
                    proposal.street, f"RT {proposal.rt}/RW {proposal.rw}", facts["region"], proposal.reason,
                    *facts["conditions"], *facts["programs"], "Penerima Bantuan Iuran Jaminan Kesehatan",
                    "Program Keluarga Harapan"]
        for m in facts["members"]:
            expected += [m.name, m.relationship, m.birth_date.strftime("%d-%m-%Y"), m.occupation]
        flask_db.database.close()
    page = plain(officers["operator"].get(f"/petugas/usulan/{pid}"))
    missing = [value for value in expected if str(value) not in page]
    assert not missing, missing
    assert "Beji" in facts["region"] and "Jawa Barat" in facts["region"]
    assert "(32.76.06" not in page and "PKH,PBI-JK" not in page
    for name in ("Foto e-KTP", "Foto Kartu Keluarga (KK)", "Surat Keterangan Tidak Mampu (SKTM)"):
        assert name in page


def test_the_account_page_shows_region_names_not_codes(app, officers):
    account = citizen(app, state="menunggu verifikasi petugas")
    page = plain(officers["verifikator"].get(f"/petugas/akun/{account.public_id}"))
    assert "Beji" in page and "(32.76.06" not in page
    assert account.email in page


def test_programs_know_their_kind(db):
    kinds = {p.code: p.kind for p in Program.select()}
    assert kinds == {"PKH": "tunai", "BLT": "tunai", "SEMBAKO": "pangan", "PBI-JK": "kesehatan",
                     "PIP": "pendidikan"}


def test_the_migration_adds_kinds_and_result_fields_to_an_old_database(app):
    """An install from before program kinds: init-db adds the columns, gives
    every program its kind, and keeps the data."""
    from playhouse.migrate import migrate

    from webapp import migrations
    from webapp.migrations import create_schema

    dropped = {"program": ["kind"], "person": ["dtsen_note", "kpd_status"], "enrollment": ["since", "note"],
               "stage_record": ["desil", "desil_reason"]}
    with app.app_context():
        db = flask_db.database
        persons = Person.select().count()
        migrator = migrations._migrator(db)
        sqlite = db.__class__.__name__.startswith("Sqlite")
        if sqlite:  # SQLite drops a column by copying the table: referenced rows must not block it
            db.execute_sql("PRAGMA foreign_keys = OFF")
        for table, columns in dropped.items():
            migrate(*[migrator.drop_column(table, c) for c in columns])
        if sqlite:
            db.execute_sql("PRAGMA foreign_keys = ON")
        legacy = Enrollment.select(Enrollment.id).where(Enrollment.program == "PBI-JK").first().id
        db.execute_sql(f"UPDATE enrollment SET stage = 'SP2D', status = 'YA' WHERE id = {legacy}")  # noqa: S608
        migrations.SchemaMigration.bind(db)
        migrations.SchemaMigration.delete().where(
            migrations.SchemaMigration.name == "m012_program_kinds_and_result_fields").execute()
        create_schema()
        assert Enrollment.get_by_id(legacy).stage == "AKTIF"  # an old membership row: no money stage left
        for table, columns in dropped.items():
            assert set(columns) <= {c.name for c in db.get_columns(table)}, table
        assert Program.get_by_id("PBI-JK").kind == HEALTH and Program.get_by_id("PIP").kind == "pendidikan"
        assert Person.select().count() == persons
        create_schema()  # safe to repeat
        db.close()
