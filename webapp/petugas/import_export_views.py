"""Registry import (/petugas/impor: upload, then progress polled by htmx) and
the export of proposals and decisions (/petugas/ekspor, CSV or Excel)."""

import json
from datetime import datetime, timedelta

from flask import Response, g, redirect, request, stream_with_context, url_for

from ..akun import audit, roles
from ..htmx import render
from ..i18n import gettext as _
from ..identity import mask_name, mask_nik
from ..registry.models import Region
from ..wilayah import LABELS as LEVEL_LABELS
from . import bp, fileformat, importer, scope
from .access import officer_required
from .forms import ExportForm, UploadForm

MAX_IMPORT_BYTES = 8 * 1024 * 1024


def _impor_page(form, status=200, error=None):
    return render("petugas/impor.html", "content", status=status, form=form,
                  errors=[("berkas", error)] if error else None, error=error, columns=importer.COLUMNS)


@bp.get("/impor")
@officer_required(*roles.IMPORT_ROLES)
def impor():
    """The import form, with the file format."""
    return _impor_page(UploadForm(formdata=None))


@bp.post("/impor")
@officer_required(*roles.IMPORT_ROLES)
def impor_kirim():
    """Saves the CSV and queues its import; the next page shows progress."""
    form = UploadForm()
    if not form.validate():
        return _impor_page(form, status=400,
                           error=_("Formulir kedaluwarsa. Muat ulang halaman lalu kirim lagi."))
    file = request.files.get("berkas")
    if not file or not file.filename:
        return _impor_page(form, status=422,
                           error=_("Pilih berkas Excel (.xlsx) atau CSV yang akan diimpor."))
    raw = file.stream.read(MAX_IMPORT_BYTES + 1)
    if len(raw) > MAX_IMPORT_BYTES:
        return _impor_page(form, status=413, error=_("Berkas lebih dari 8 MB. Bagi menjadi beberapa berkas."))
    job = importer.start_job(g.officer, raw)
    return redirect(url_for("petugas.impor_status", job_id=job.public_id), 303)


@bp.get("/impor/<job_id>")
@officer_required(*roles.IMPORT_ROLES)
def impor_status(job_id):
    """Progress of an import; htmx polls the `progress` block every second
    while it runs (without JavaScript: a refresh link)."""
    job = importer.settle(scope.get_or_404("impor", job_id, g.officer))
    report = json.loads(job.report or "[]")
    running = job.status in ("menunggu", "berjalan")
    percent = min(100, round(100 * job.done / job.total)) if job.total else (0 if running else 100)
    response = render("petugas/impor_status.html", "progress", job=job, report=report, running=running,
                      percent=percent, errors=None)
    return response


def _csv_cell(value):
    """Text a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _ekspor_page(form, area, status=200, errors=None):
    return render("petugas/ekspor.html", "content", status=status, form=form, area=area,
                  errors=errors, level_labels=LEVEL_LABELS)


EXPORT_HEADER = fileformat.EXPORT_ROWS_HEADER


def _export_rows(officer, start, end, area_code, full):
    """The export's rows, one event at a time (the query is iterated, never
    loaded whole)."""
    names = {}
    for event in scope.events_for(officer, start, end, area_code).iterator():
        p = event.proposal
        if p.desa_code not in names:
            names[p.desa_code] = Region.get_or_none(Region.code == p.desa_code)
        region = names[p.desa_code]
        yield [_csv_cell(v) for v in (
            p.receipt_no, p.desa_code, region.name if region else "",
            p.nik if full else mask_nik(p.nik), (p.name or "") if full else mask_name(p.name or ""),
            p.programs, p.status, event.status, event.actor_role,
            event.created_at.isoformat(timespec="seconds"), event.note or "")]


def _export(kind):
    """Proposals of the officer's region (or of a kecamatan/desa in it) and
    every decision on them in the period (by the event's date), as CSV or
    Excel, streamed. NIK and name are masked unless the role needs them
    (Dinas Sosial, pusat)."""
    officer = g.officer
    form = ExportForm(request.args)
    area = scope.area_for(officer, request.args)
    if not form.validate() or form.dari.value > form.sampai.value:
        return _ekspor_page(form, area, status=422, errors=[(n, m[0]) for n, m in form.errors.items()] or
                            [("dari", _("Tanggal awal harus sebelum tanggal akhir."))])
    start = datetime.combine(form.dari.value, datetime.min.time())
    end = datetime.combine(form.sampai.value, datetime.min.time()) + timedelta(days=1)
    rows = _export_rows(officer, start, end, area.code, roles.may_export_full_data(officer))
    period = f"{form.dari.value}..{form.sampai.value}"
    audit.record(officer, "ekspor", "usulan", "", detail=f"{period} {area.code}" if area.code else period)
    filename = f"usulan-{area.code + '-' if area.code else ''}{form.dari.value}-{form.sampai.value}.{kind}"
    if kind == "xlsx":
        body, mimetype = fileformat.xlsx_chunks(EXPORT_HEADER, rows, ("nik",)), fileformat.XLSX_MIMETYPE
    else:
        body, mimetype = fileformat.csv_chunks(EXPORT_HEADER, rows), "text/csv"
    return Response(stream_with_context(body), mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "private, no-store"})


@bp.get("/ekspor.csv")
@officer_required()
def ekspor():
    """The export as CSV, streamed."""
    return _export("csv")


@bp.get("/ekspor.xlsx")
@officer_required()
def ekspor_xlsx():
    """The export as an Excel workbook: NIK as text, so Excel keeps all 16 digits."""
    return _export("xlsx")


@bp.get("/ekspor")
@officer_required()
def ekspor_form():
    """The export form (a GET form to /petugas/ekspor.csv). "Pilih" comes
    back here with the choices kept and the next region level filled."""
    form = ExportForm(request.args) if request.args else ExportForm(formdata=None)
    return _ekspor_page(form, scope.area_for(g.officer, request.args))
