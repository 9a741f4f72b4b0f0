"""The files offices actually have: CSV saved by Excel with Indonesian
settings (`;`) or English ones (`,`), and Excel workbooks (.xlsx). One
function reads any of them into a header and rows of text, and refuses a
line whose NIK or No. KK Excel turned into a number (3.27606E+15: the last
digits are gone) with a message saying how to fix it in Excel. The
importer's per-line rules then see plain text, whatever the file was."""

import csv
import io
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from ..i18n import gettext as _

# Columns holding 16-digit numbers that Excel mangles.
NUMBER_COLUMNS = ("nik", "no_kk")
# 3.27606E+15, 3,27606E+15 (Indonesian decimal comma), 3.27606e15
_SCIENTIFIC = re.compile(r"^\s*\d+(?:[.,]\d+)?[eE]\+?\d+\s*$")
_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"
# A workbook's parts unpacked may not exceed this (zip bombs).
MAX_XLSX_UNPACKED = 200 * 1024 * 1024


@dataclass
class Table:
    """header: lower-cased column names; rows: (line number, {column: text}
    or None when the line's cell count differs from the header's, the
    reason to refuse the line or None)."""

    header: list = field(default_factory=list)
    rows: object = ()
    error: str | None = None
    kind: str = "csv"


def _decode(raw):
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def delimiter(first_line):
    """`;` or `,` (or tab): whichever separates the header line most."""
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _fix_hint(column, value):
    return _(
        "Kolom %(col)s berisi %(value)s: Excel menyimpannya sebagai angka sehingga digit "
        "terakhirnya hilang. Perbaiki di Excel: blok kolom %(col)s, klik kanan, Format Cells, "
        "pilih Text, lalu ketik ulang atau tempel lagi angka 16 digitnya dari sumber aslinya dan "
        "simpan lagi. Saat membuka CSV di Excel, pakai Data, From Text/CSV dan pilih tipe Text "
        "untuk kolom %(col)s.",
        col=column,
        value=str(value)[:24],
    )


def _mangled(row):
    for column in NUMBER_COLUMNS:
        value = row.get(column)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return _fix_hint(column, value)
        if isinstance(value, str) and _SCIENTIFIC.match(value):
            return _fix_hint(column, value.strip())
    return None


def _rows(header, records):
    """(line, {column: value} or None, refusal) for every non-empty record."""
    width = len(header)
    for number, record in records:
        if not any(v not in (None, "") for v in record):
            continue
        extra = record[width:]
        if len(record) < width or any(v not in (None, "") for v in extra):
            yield number, None, None
            continue
        row = dict(zip(header, record[:width], strict=True))
        problem = _mangled(row)
        yield number, ({k: _cell_text(v) for k, v in row.items()} if not problem else None), problem


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _csv(raw):
    text = _decode(raw)
    if text is None:
        return Table(error=_("Berkas bukan CSV (UTF-8) atau Excel (.xlsx)."))
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(first))
    header_row = next(reader, None)
    if header_row is None:
        return Table(error=None, header=[], rows=iter(()))
    header = [h.strip().lower() for h in header_row]
    return Table(header=header, rows=_rows(header, ((reader.line_num, r) for r in reader)))


def _xlsx(raw):
    from openpyxl import load_workbook  # heavy; loaded only when an .xlsx file comes in

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNPACKED:
                return Table(
                    error=_("Berkas Excel terlalu besar setelah dibuka. Bagi menjadi beberapa berkas.")
                )
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        records = sheet.iter_rows(values_only=True)
        header_row = next(records, None)
    except Exception:  # noqa: BLE001 - any unreadable workbook gets the same message
        return Table(error=_("Berkas Excel tidak dapat dibaca. Simpan ulang sebagai .xlsx atau CSV."))
    header = [str(h).strip().lower() if h is not None else "" for h in (header_row or ())]
    while header and not header[-1]:
        header.pop()
    return Table(
        header=header, rows=_rows(header, ((n, list(r)) for n, r in enumerate(records, start=2))), kind="xlsx"
    )


def read(raw: bytes) -> Table:
    """The file's header and rows, whatever its format (detected from the
    content, not the file name)."""
    if raw[:4] == _XLSX_MAGIC:
        return _xlsx(raw)
    if raw[:4] == _XLS_MAGIC:
        return Table(
            error=_(
                "Berkas Excel lama (.xls) tidak didukung. Di Excel pilih File, Save As, "
                "lalu Excel Workbook (.xlsx) atau CSV."
            )
        )
    return _csv(raw)


# --- writing ------------------------------------------------------------------

CHUNK = 64 * 1024


def csv_chunks(header, rows):
    """The CSV text a line at a time: an export of any size is never whole
    in memory."""
    out = io.StringIO()
    writer = csv.writer(out)
    for record in _with_header(header, rows):
        writer.writerow(record)
        yield out.getvalue()
        out.seek(0)
        out.truncate()


def _with_header(header, rows):
    yield header
    yield from rows


def xlsx_chunks(header, rows, text_columns=NUMBER_COLUMNS):
    """An .xlsx workbook of the rows, streamed in chunks. Every cell is
    written as text (NIK and No. KK stay 16 digits; nothing becomes a
    formula), the NIK/KK columns are formatted as Text so a cell edited in
    Excel stays text too. xlsxwriter's constant_memory mode writes each row
    to a temporary file as it comes, so memory stays flat; the file is sent
    and removed."""
    import xlsxwriter  # loaded only when an .xlsx export is asked for

    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        book = xlsxwriter.Workbook(
            path,
            {
                "constant_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        sheet = book.add_worksheet("Data")
        as_text = book.add_format({"num_format": "@"})
        bold = book.add_format({"bold": True})
        for column, name in enumerate(header):
            if name in text_columns:
                sheet.set_column(column, column, 20, as_text)
            sheet.write_string(0, column, name, bold)
        for number, record in enumerate(rows, start=1):
            for column, value in enumerate(record):
                text = "" if value is None else str(value)
                if header[column] in text_columns:
                    sheet.write_string(number, column, text, as_text)
                else:
                    sheet.write_string(number, column, text)
        book.close()
        with open(path, "rb") as f:
            while chunk := f.read(CHUNK):
                yield chunk
    finally:
        os.remove(path)


# The proposal export's columns (webapp/petugas/import_export_views.py), here for the benchmark too.
EXPORT_ROWS_HEADER = ["nomor_usulan", "kode_desa", "desa", "nik", "nama", "program", "status_sekarang",
                      "peristiwa", "oleh", "waktu", "catatan"]
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
