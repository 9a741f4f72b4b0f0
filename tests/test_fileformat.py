"""Files offices actually have: Excel's `;` CSV, .xlsx workbooks, NIK/KK
mangled by Excel into 3.27606E+15 (refused, with how to fix it in Excel),
and exports to .xlsx that keep NIK as text, streamed."""

import csv
import io
from pathlib import Path

import openpyxl
import pytest

from webapp import clock
from webapp.db import flask_db
from webapp.petugas import fileformat, importer

from .test_petugas_support import Officer, citizen, sent_proposal, text

EXAMPLE = (Path(__file__).parent.parent / "docs" / "contoh-impor.csv").read_text()
LINES = list(csv.reader(io.StringIO(EXAMPLE)))


def check(app, raw):
    with app.test_request_context():
        report = importer.check(raw)
        flask_db.database.close()
    return report


def as_csv(lines, delimiter=","):
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(lines)
    return out.getvalue().encode("utf-8-sig")


def as_xlsx(lines, numbers=()):
    """A workbook like one typed in Excel; columns in `numbers` hold numbers."""
    book = openpyxl.Workbook()
    sheet = book.active
    header = lines[0]
    for line in lines:
        sheet.append(
            [float(v) if header[i] in numbers and line is not header and v else v for i, v in enumerate(line)]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def cleaned(report):
    return [(r["nik"], r["no_kk"], r["name"], r["birth_date"], r["enrol"]) for r in report.rows]


def test_semicolon_csv_and_xlsx_read_like_the_comma_csv(app):
    plain = check(app, EXAMPLE.encode())
    assert plain.ok and len(plain.rows) == 4
    semicolon = check(app, as_csv(LINES, ";"))
    workbook = check(app, as_xlsx(LINES))
    assert semicolon.ok and workbook.ok, (semicolon.errors, workbook.errors)
    assert cleaned(semicolon) == cleaned(workbook) == cleaned(plain)


def test_delimiter_follows_the_header_line():
    assert fileformat.delimiter("no_kk;nik;nama") == ";"
    assert fileformat.delimiter("no_kk,nik,nama") == ","
    assert fileformat.delimiter("no_kk") == ","


@pytest.mark.parametrize("value", ["3.27606E+15", "3,27606E+15", "3.27606e15"])
def test_a_nik_mangled_by_excel_is_refused_with_how_to_fix_it(app, value):
    lines = [list(line) for line in LINES]
    lines[2][1] = value
    report = check(app, as_csv(lines, ";"))
    assert not report.ok
    ((line, message),) = report.errors
    assert line == 3
    assert "nik" in message and value in message and "Format Cells" in message and "Text" in message


def test_numbers_in_an_xlsx_nik_or_kk_column_are_refused(app):
    report = check(app, as_xlsx(LINES, numbers=("no_kk",)))
    assert not report.ok and {line for line, _m in report.errors} == {2, 3, 4, 5}
    assert all("no_kk" in m and "Format Cells" in m for _l, m in report.errors)


@pytest.mark.parametrize(
    "raw,words",
    [
        (b"\xd0\xcf\x11\xe0" + b"\0" * 100, ".xls"),
        (b"PK\x03\x04not really a zip", "tidak dapat dibaca"),
    ],
)
def test_files_that_are_not_xlsx_or_csv_get_a_message(app, raw, words):
    report = check(app, raw)
    assert not report.ok and words in report.errors[0][1]


def test_web_import_of_an_xlsx_file(app, runner):
    kepala = Officer(app, runner, "kepala@contoh.test", "dinsos_kepala", "32.76").sign_in()
    response = kepala.post(
        "/petugas/impor",
        {"berkas": (io.BytesIO(as_xlsx(LINES)), "daftar.xlsx")},
        csrf_from="/petugas/impor",
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert "4 baris diimpor" in text(kepala.get(response.headers["Location"]))


def test_export_as_xlsx_keeps_the_nik_as_text_and_streams(app, runner):
    sent_proposal(app, citizen(app))
    kepala = Officer(app, runner, "kepala@contoh.test", "dinsos_kepala", "32.76").sign_in()
    today = clock.today()
    response = kepala.get(f"/petugas/ekspor.xlsx?dari={today}&sampai={today}")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == fileformat.XLSX_MIMETYPE
    assert 'filename="usulan-' in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    header = [c.value for c in sheet[1]]
    nik = sheet.cell(row=2, column=header.index("nik") + 1)
    assert nik.value == "3276061708750003" and nik.data_type == "s" and nik.number_format == "@"
    streamed = kepala.get(f"/petugas/ekspor.csv?dari={today}&sampai={today}")
    assert streamed.is_streamed and "3276061708750003" in text(streamed)


def test_xlsx_writer_writes_formula_like_text_as_text():
    raw = b"".join(fileformat.xlsx_chunks(["nik", "catatan"], [["0012345678901234", "=1+1"]]))
    sheet = openpyxl.load_workbook(io.BytesIO(raw)).active
    assert sheet["A2"].value == "0012345678901234" and sheet["B2"].value == "=1+1"
    assert sheet["B2"].data_type == "s"
