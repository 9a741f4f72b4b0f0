"""The /api/v1 routes: thin over the same services as our pages (regions,
captcha, lookup, proposal status) and, for partner keys, the registry and
proposal changes of the key's region."""

import logging
from datetime import datetime, time

from flask import Blueprint as FlaskBlueprint
from flask import current_app, jsonify, render_template, request, url_for
from flask_smorest import abort
from limits import parse as parse_limit
from werkzeug.exceptions import HTTPException

from ..captcha.messages import captcha_message
from ..captcha.services import CaptchaError, new_token, verify
from ..cek.forms import CekForm
from ..cek.services import lookup_by_name, lookup_by_nik
from ..forms import check_fields
from ..i18n import gettext as _
from ..petugas.scope import under
from ..registry.models import Enrollment, Household, Person, Region
from ..security import limiter, lookup_limit
from ..usulan.forms import StatusForm, parse_date
from ..usulan.models import Proposal, ProposalEvent
from ..usulan.services import label
from ..usulan.status import find_by_receipt, timeline
from ..wilayah import children, is_code, picker_for
from . import api, bp, keys
from .schemas import (
    Captcha,
    CaptchaQuery,
    CekRequest,
    CekResult,
    ChangesPage,
    ChangesQuery,
    Error,
    Page,
    RegionChildren,
    RegistryPage,
    StatusRequest,
    StatusResult,
)

log = logging.getLogger(__name__)
PARTNER = [{"KunciApi": []}]

_CODES = {
    400: "permintaan_salah",
    401: "kunci_tidak_sah",
    403: "ditolak",
    404: "tidak_ditemukan",
    405: "metode_tidak_didukung",
    413: "terlalu_besar",
    415: "jenis_isi_salah",
    422: "isian_tidak_valid",
    429: "terlalu_sering",
}


def _messages():
    return {
        400: _("Permintaan tidak dapat diproses."),
        401: _("Kunci API tidak ada, salah atau sudah dicabut."),
        404: _("Data atau alamat API tidak ditemukan."),
        405: _("Metode HTTP ini tidak didukung di alamat ini."),
        413: _("Permintaan terlalu besar."),
        422: _("Isian tidak valid. Periksa kolom yang disebut."),
        429: _("Terlalu banyak permintaan. Tunggu sebentar lalu coba lagi."),
    }


def _field_message(text):
    """marshmallow's English field messages, said in Bahasa Indonesia."""
    text = str(text)
    if "Missing data" in text:
        return _("Wajib diisi.")
    if "Unknown field" in text:
        return _("Kolom ini tidak dikenal.")
    if "Longer than" in text or "Length must" in text:
        return _("Terlalu panjang.")
    if "Must be greater" in text or "Must be less" in text or "Must be between" in text:
        return _("Di luar rentang yang diizinkan.")
    if "date" in text.lower():
        return _("Tanggal harus bertulis TTTT-BB-HH, contoh 2026-11-01.")
    return _("Nilai tidak valid.")


def _flatten(messages, prefix=""):
    out = {}
    for key, value in (messages or {}).items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, f"{name}."))
        else:
            out[name] = [_field_message(v) for v in (value if isinstance(value, list) else [value])]
    return out


def error_response(status, code=None, message=None, errors=None, headers=None):
    body = {
        "code": code or _CODES.get(status, "kesalahan"),
        "message": message or _messages().get(status, _("Terjadi kesalahan.")),
    }
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers or {})
    return response


@bp.errorhandler(HTTPException)
def _http_error(exc):
    data = getattr(exc, "data", None) or {}
    errors = data.get("errors")
    code, message = data.get("code"), data.get("message")
    if isinstance(data.get("messages"), dict):  # webargs: {location: {field: [messages]} or [messages]}
        errors = {}
        for location, fields_ in data["messages"].items():
            if isinstance(fields_, dict):
                errors.update(_flatten(fields_))
            else:
                code, message = "isi_tidak_sah", _("Isi permintaan bukan JSON yang sah.")
                errors[location] = [message]
    headers = dict(exc.get_response().headers) if exc.code == 429 else None
    retry = {"Retry-After": headers["Retry-After"]} if headers and "Retry-After" in headers else None
    return error_response(exc.code or 500, code, message, errors, retry)


@bp.errorhandler(Exception)
def _unexpected(exc):
    log.exception("API error on %s %s", request.method, request.path)
    return error_response(500, "gangguan_server", _("Maaf, ada kesalahan di server kami. Coba lagi nanti."))


# --- public ---------------------------------------------------------------


@bp.route("/wilayah")
@bp.response(200, RegionChildren)
def provinces():
    """Semua provinsi."""
    return {"kode": None, "nama": None, "anak": [{"kode": c, "nama": n} for c, n in children(None)]}


@bp.route("/wilayah/<string:kode>")
@bp.response(200, RegionChildren)
@bp.alt_response(404, schema=Error, description="Kode wilayah tidak dikenal")
def region(kode):
    """Satu wilayah dan wilayah di bawahnya (kabupaten/kota, kecamatan, desa/kelurahan)."""
    found = Region.get_or_none(Region.code == kode) if is_code(kode) else None
    if found is None:
        abort(404, code="wilayah_tidak_dikenal", message=_("Kode wilayah tidak dikenal."))
    return {
        "kode": found.code,
        "nama": found.name,
        "anak": [{"kode": c, "nama": n} for c, n in children(kode)],
    }


@bp.route("/captcha")
@bp.arguments(CaptchaQuery, location="query")
@bp.response(200, Captcha)
def captcha(args):
    """Tantangan captcha baru: tampilkan gambarnya, kirim token dan jawabannya bersama pencarian.

    Token hanya berlaku untuk operasi yang disebut `untuk` (cek atau usulan_status)."""
    token = new_token("image", f"api_{args['untuk']}")
    return {
        "token": token,
        "gambar": url_for("captcha.image", token=token),
        "berlaku_detik": current_app.config["CAPTCHA_TTL_SECONDS"],
    }


CAPTCHA_CODES = {
    "wrong": "captcha_salah",
    "expired": "captcha_kedaluwarsa",
    "invalid": "captcha_tidak_berlaku",
    "replayed": "captcha_sudah_dipakai",
}


def _check_captcha(token, reply, purpose):
    try:
        verify(token, reply, purpose)
    except CaptchaError as exc:
        abort(400, code=CAPTCHA_CODES[exc.reason], message=captcha_message(exc.reason, "image"))


@bp.route("/cek", methods=["POST"])
@lookup_limit()
@bp.arguments(CekRequest)
@bp.response(200, CekResult)
@bp.alt_response(400, schema=Error, description="Captcha salah, kedaluwarsa atau sudah dipakai")
@bp.alt_response(429, schema=Error, description="Terlalu sering mencari")
def cek(args):
    """Cek Bansos: dengan NIK, atau dengan kode desa dan nama sesuai KTP.

    Nama disamarkan; NIK tidak pernah dikembalikan. Batas pencarian sama dengan halaman Cek Bansos.
    """
    if args.get("nik"):
        form, problem = check_fields(CekForm, mode="nik", nik=args["nik"], captcha="-")
    else:
        if not picker_for(args.get("desa", "")).complete:
            abort(
                422,
                code="isian_tidak_valid",
                message=_("Pilih desa/kelurahan: kode desa tidak dikenal."),
                errors={"desa": [_("Kode desa tidak dikenal.")]},
            )
        form, problem = check_fields(CekForm, mode="nama", nama=args.get("nama", ""), captcha="-")
    if problem:
        abort(422, code="isian_tidak_valid", message=problem)
    _check_captcha(args["captcha_token"], args["captcha"], "api_cek")
    result = lookup_by_nik(form.nik.data) if args.get("nik") else lookup_by_name(args["desa"], form.nama.data)
    log.info("api lookup mode=%s found=%d", "nik" if args.get("nik") else "nama", len(result.people))
    return {
        "ditemukan": result.found,
        "dtsen": result.dtsen,
        "orang": [
            {
                "nama": p.masked_name,
                "umur": p.age,
                "desil": p.desil,
                "desa": p.desa_name,
                "program": [
                    {
                        "kode": line.code,
                        "nama": line.name,
                        "menerima": line.receives,
                        "periode": line.period,
                        "tahap": line.stage,
                        "penjelasan": line.explanation,
                    }
                    for line in p.programs
                ],
            }
            for p in result.people
        ],
    }


def _aware(moment):
    return moment.astimezone() if moment else None


@bp.route("/usulan/status", methods=["POST"])
@lookup_limit()
@bp.arguments(StatusRequest)
@bp.response(200, StatusResult)
@bp.alt_response(400, schema=Error, description="Captcha salah, kedaluwarsa atau sudah dipakai")
@bp.alt_response(404, schema=Error, description="Tidak ada usulan dengan nomor dan tanggal lahir itu")
@bp.alt_response(429, schema=Error, description="Terlalu sering mencari")
def usulan_status(args):
    """Status usulan tanpa akun: nomor tanda terima, tanggal lahir orang yang diusulkan dan captcha."""
    _form, problem = check_fields(
        StatusForm, receipt=args["nomor"], birth_date=args["tanggal_lahir"], captcha="-"
    )
    if problem:
        abort(422, code="isian_tidak_valid", message=problem)
    _check_captcha(args["captcha_token"], args["captcha"], "api_usulan_status")
    proposal = find_by_receipt(args["nomor"], parse_date(args["tanggal_lahir"]))
    if proposal is None:
        abort(
            404,
            code="usulan_tidak_ditemukan",
            message=_("Tidak ada usulan dengan nomor tanda terima dan tanggal lahir tersebut."),
        )

    return {
        "nomor": proposal.receipt_no,
        "status": proposal.status,
        "label": str(label(proposal.status)),
        "langkah": [
            {
                "status": s.status,
                "label": s.label,
                "waktu": _aware(s.at),
                "catatan": s.note,
                "keadaan": s.state,
            }
            for s in timeline(proposal)
        ],
    }


# --- partners (API key) -----------------------------------------------------


def _partner(action, detail):
    """The caller's key (X-API-Key, or Authorization: Bearer), within its own
    rate limit; the use is audited."""
    presented = request.headers.get("X-API-Key") or ""
    auth = request.headers.get("Authorization", "")
    if not presented and auth[:7].lower() == "bearer ":
        presented = auth[7:]
    row = keys.authenticate(presented[:200])
    if row is None:
        abort(401, code="kunci_tidak_sah", message=_("Kunci API tidak ada, salah atau sudah dicabut."))
    if limiter.enabled and not limiter.limiter.hit(parse_limit(row.rate_limit), "api-key", row.public_id):
        abort(
            429,
            code="terlalu_sering",
            message=_("Batas permintaan kunci API ini terlampaui. Tunggu sebentar."),
        )
    keys.record_use(row, action, detail)
    return row


def _enrollments(household_ids):
    grouped = {}
    for e in (
        Enrollment.select()
        .where(Enrollment.household.in_(household_ids))
        .order_by(Enrollment.year, Enrollment.quarter, Enrollment.program)
    ):
        grouped.setdefault(e.household_id, []).append(e)
    return grouped


@bp.route("/mitra/registry")
@bp.doc(security=PARTNER)
@bp.arguments(Page, location="query")
@bp.response(200, RegistryPage)
@bp.alt_response(401, schema=Error, description="Kunci API tidak sah")
@bp.alt_response(429, schema=Error, description="Batas permintaan kunci terlampaui")
def registry(args):
    """Data penerima di wilayah kunci, per halaman (urut id; lanjutkan dengan `setelah` = `berikutnya`)."""
    row = _partner("api_registry", f"setelah={args['setelah']} batas={args['batas']}")
    persons = list(
        Person.select(Person, Household)
        .join(Household)
        .where(under(Person.desa, row.region_code) & (Person.id > args["setelah"]))
        .order_by(Person.id)
        .limit(args["batas"] + 1)
    )
    more = len(persons) > args["batas"]
    persons = persons[: args["batas"]]
    enrolled = _enrollments({p.household_id for p in persons}) if persons else {}
    data = [
        {
            "id": p.id,
            "nik": p.nik,
            "no_kk": p.household.no_kk,
            "nama": p.name,
            "tanggal_lahir": p.birth_date,
            "jenis_kelamin": p.sex,
            "hubungan": p.relationship,
            "kode_desa": p.desa_code,
            "alamat": p.household.address,
            "desil": p.household.desil,
            "program": [
                {
                    "program": e.program_code,
                    "tahun": e.year,
                    "triwulan": e.quarter,
                    "status": e.status,
                    "tahap": e.stage,
                }
                for e in enrolled.get(p.household_id, [])
                if e.person_id in (None, p.id)
            ],
        }
        for p in persons
    ]
    return {"wilayah": row.region_code, "data": data, "berikutnya": persons[-1].id if more else None}


@bp.route("/mitra/usulan/perubahan")
@bp.doc(security=PARTNER)
@bp.arguments(ChangesQuery, location="query")
@bp.response(200, ChangesPage)
@bp.alt_response(401, schema=Error, description="Kunci API tidak sah")
@bp.alt_response(429, schema=Error, description="Batas permintaan kunci terlampaui")
def changes(args):
    """Perubahan status usulan di wilayah kunci sejak tanggal `sejak` (urut waktu)."""
    row = _partner("api_perubahan", f"sejak={args['sejak']} setelah={args['setelah']}")
    since = datetime.combine(args["sejak"], time.min)
    events = list(
        ProposalEvent.select(ProposalEvent, Proposal)
        .join(Proposal)
        .where(
            under(Proposal.desa, row.region_code)
            & (ProposalEvent.created_at >= since)
            & (ProposalEvent.id > args["setelah"])
        )
        .order_by(ProposalEvent.id)
        .limit(args["batas"] + 1)
    )
    more = len(events) > args["batas"]
    events = events[: args["batas"]]
    data = [
        {
            "id": e.id,
            "nomor": e.proposal.receipt_no,
            "kode_desa": e.proposal.desa_code,
            "status_sekarang": e.proposal.status,
            "peristiwa": e.status,
            "oleh": e.actor_role,
            "waktu": _aware(e.created_at),
        }
        for e in events
    ]
    return {"wilayah": row.region_code, "data": data, "berikutnya": events[-1].id if more else None}


# --- outside the document: the readable page and unknown addresses ----------

pages = FlaskBlueprint("api_pages", __name__, url_prefix="/api/v1")


@pages.get("/")
def docs():
    """The OpenAPI document as a page to read, server-rendered (no script)."""
    spec = api.spec.to_dict()
    return render_template("api/docs.html", spec=spec, errors=None)


@pages.route("/<path:name>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown(name):
    """Any other address under /api/v1: a JSON 404, like every API error."""
    return error_response(404)
