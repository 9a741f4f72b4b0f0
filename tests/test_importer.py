"""What the registry import writes: new rows, updates of known ones, one
enrollment per household/person/program/period — the same on SQLite and
PostgreSQL, since the import streams rows through the driver."""

from pathlib import Path

from webapp.db import flask_db
from webapp.petugas import importer
from webapp.registry.models import Enrollment, Household, Person

EXAMPLE = (Path(__file__).parent.parent / "docs" / "contoh-impor.csv").read_bytes()


def run(app, raw):
    with app.test_request_context():
        report = importer.run(raw)
        flask_db.database.close()
    assert report.ok, report.errors
    return report


def snapshot(app):
    with app.app_context():
        households = {h.no_kk: (h.desa_code, h.address, h.desil)
                      for h in Household.select().where(Household.no_kk.startswith("32760601013000"))}
        persons = {p.nik: (p.name, p.name_norm, str(p.birth_date), p.sex, p.household.no_kk, p.desa_code,
                           p.relationship)
                   for p in Person.select().where(Person.nik.in_(
                       ["3276061505700011", "3276066208750012", "3276060301600013"]))}
        enrolments = sorted((e.household.no_kk, e.person.nik if e.person else "", e.program_code, e.year,
                             e.quarter, e.status, e.stage, e.ended_reason)
                            for e in Enrollment.select().join(Household)
                            .where(Household.no_kk.startswith("32760601013000")))
        flask_db.database.close()
    return households, persons, enrolments


def test_example_file_creates_households_persons_and_enrolments(app):
    run(app, EXAMPLE)
    households, persons, enrolments = snapshot(app)
    assert households == {"3276060101300011": ("32.76.06.1001", "Jl. Contoh 1 RT 001/RW 002", 2),
                          "3276060101300012": ("32.76.06.1001", "Gg. Contoh 4 RT 003/RW 001", None)}
    assert persons["3276066208750012"] == ("Wati Lestari", "wati lestari", "1975-08-22", "P",
                                           "3276060101300011", "32.76.06.1001", "Istri")
    assert persons["3276060301600013"][4] == "3276060101300012"
    # PKH is a household program (no person); PBI-JK one per insured person; Darmo has none.
    assert enrolments == [
        ("3276060101300011", "", "PKH", 2026, 3, "YA", "PENETAPAN", None),
        ("3276060101300011", "3276061505700011", "PBI-JK", 2026, 3, "YA", "AKTIF", None),
        ("3276060101300011", "3276066208750012", "PBI-JK", 2026, 3, "YA", "AKTIF", None),
    ]


def test_importing_again_updates_instead_of_duplicating(app):
    run(app, EXAMPLE)
    first = snapshot(app)
    run(app, EXAMPLE)
    assert snapshot(app) == first


def test_changed_lines_update_known_rows_and_reopen_an_ended_enrolment(app):
    run(app, EXAMPLE)
    with app.app_context():
        Enrollment.update(status="TIDAK", stage="DIHENTIKAN", ended_reason="EXCLUDE - MENINGGAL").where(
            Enrollment.program == "PKH").execute()
        flask_db.database.close()
    changed = (EXAMPLE.decode()
               .replace("Jl. Contoh 1 RT 001/RW 002,2,", "Jl. Baru 9,3,")
               .replace("Wati Lestari", "Hj. Wati Lestari")
               .replace("PKH,2026,3,YA,PENETAPAN", "PKH,2026,3,YA,SUDAH_TRANSAKSI"))
    run(app, changed.encode())
    households, persons, enrolments = snapshot(app)
    assert households["3276060101300011"] == ("32.76.06.1001", "Jl. Baru 9", 3)
    assert persons["3276066208750012"][:2] == ("Hj. Wati Lestari", "wati lestari")
    assert ("3276060101300011", "", "PKH", 2026, 3, "YA", "SUDAH_TRANSAKSI", None) in enrolments
    assert len(enrolments) == 3


def test_a_person_moving_household_follows_the_file(app):
    run(app, EXAMPLE)
    moved = EXAMPLE.decode().replace(
        "3276060101300012,3276060301600013,Darmo,1960-01-03,L,Kepala Keluarga,32.76.06.1001",
        "3276060101300013,3276060301600013,Darmo,1960-01-03,L,Kepala Keluarga,32.76.06.1002")
    run(app, moved.encode())
    _households, persons, _enrolments = snapshot(app)
    assert persons["3276060301600013"][4:6] == ("3276060101300013", "32.76.06.1002")


def test_a_file_cannot_move_records_from_outside_the_importers_region(app):
    """A Bogor office's file naming a Depok household's no_kk (or a Depok
    person's NIK) with a Bogor desa is refused, and nothing changes."""
    from webapp.registry.models import Region

    run(app, EXAMPLE)  # the households live in Depok (32.76)
    before = snapshot(app)
    with app.app_context():
        bogor_desa = (Region.select().where((Region.level == 4) & Region.code.startswith("32.01."))
                      .first().code)
        flask_db.database.close()
    moved = EXAMPLE.decode().replace("32.76.06.1001", bogor_desa).encode()
    with app.test_request_context():
        report = importer.run(moved, within=lambda code: code.startswith("32.01."))
        flask_db.database.close()
    assert not report.ok
    assert [line for line, _m in report.errors] == [2, 3, 4, 5]
    assert "di luar wilayah Anda" in report.errors[0][1]
    assert snapshot(app) == before
    # A new household in Bogor is still fine for Bogor.
    fresh = moved.decode().replace("32760601013000", "32010101013000").replace("327606", "320101")
    with app.test_request_context():
        assert importer.run(fresh.encode(), within=lambda code: code.startswith("32.01.")).ok
        flask_db.database.close()


def test_no_kk_follows_the_rule_the_citizens_forms_use(app):
    """A No. KK is checked by identity.kk_problem here as on the forms:
    separators are fine, a wrong length says how many digits came, and a
    family serial of 0000 is refused, each with its line."""
    lines = EXAMPLE.decode().splitlines()
    header, first = lines[0], lines[1]
    spaced = first.replace("3276060101300011", "3276 0601 0130 0011", 1)
    short = first.replace("3276060101300011", "327606010130001", 1)
    zero = first.replace("3276060101300011", "3276060101300000", 1)
    with app.test_request_context():
        report = importer.run("\n".join([header, short, zero]).encode())
        flask_db.database.close()
    assert not report.ok
    assert [line for line, _m in report.errors] == [2, 3]
    assert "16 digit" in report.errors[0][1] and "15" in report.errors[0][1]
    assert "0000" in report.errors[1][1]
    run(app, "\n".join([header, spaced]).encode())
    with app.app_context():
        assert Household.get_or_none(Household.no_kk == "3276060101300011") is not None
        flask_db.database.close()
