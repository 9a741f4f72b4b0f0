"""Programs, disbursement stages and periods: the vocabulary of the registry."""

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..i18n import N_

# (code, name, description, max desil, per person). The database keeps the
# Indonesian description; pages show it through program_description().
PROGRAMS = [
    ("PKH", "PKH", N_("Program Keluarga Harapan: bantuan tunai bersyarat untuk keluarga dengan "
                       "ibu hamil, anak usia dini, anak sekolah, lansia atau penyandang disabilitas."),
     4, False),
    ("SEMBAKO", "BPNT/Sembako", N_("Bantuan Pangan Non Tunai: saldo bulanan untuk membeli bahan "
                                   "pangan di e-warong."), 5, False),
    ("PBI-JK", "PBI-JK/KIS", N_("Penerima Bantuan Iuran Jaminan Kesehatan: iuran BPJS Kesehatan "
                              "dibayar pemerintah."), 5, True),
    ("BLT", "BLT", N_("Bantuan Langsung Tunai sementara, misalnya saat harga pangan naik."), 4, False),
    ("PIP", "PIP", N_("Program Indonesia Pintar: bantuan biaya sekolah untuk anak usia sekolah."), 5, True),
]

# Stage code → (label, plain-language explanation). Order follows the money.
STAGES = {
    "PENETAPAN": (_l("Penetapan"),
                  _l("Anda sudah ditetapkan sebagai penerima. Dana belum dikirim ke bank penyalur.")),
    "PROSES_BANK": (_l("Proses Bank"),
                    _l("Bank penyalur sedang menyiapkan rekening dan kartu. Tunggu kabar dari "
                       "pendamping atau kantor desa/kelurahan.")),
    "SP2D": (_l("SP2D"),
             _l("Surat Perintah Pencairan Dana sudah terbit: dana sedang dikirim ke rekening "
                "penerima atau ke Kantor Pos.")),
    "SUDAH_TRANSAKSI": (_l("Sudah Transaksi"),
                        _l("Dana sudah sampai dan sudah diambil atau dibelanjakan.")),
    "DIHENTIKAN": (_l("Dihentikan"),
                   _l("Bantuan dihentikan untuk periode ini. Alasannya tercantum.")),
}

MONTHS = [_l("Januari"), _l("Februari"), _l("Maret"), _l("April"), _l("Mei"), _l("Juni"),
          _l("Juli"), _l("Agustus"), _l("September"), _l("Oktober"), _l("November"),
          _l("Desember")]
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def quarter_of(day: date):
    return day.year, (day.month - 1) // 3 + 1


def period_label(year: int, quarter: int) -> str:
    """(2026, 4) → 'Oktober–Desember 2026'."""
    first = MONTHS[(quarter - 1) * 3]
    last = MONTHS[(quarter - 1) * 3 + 2]
    return f"{first}–{last} {year}"


def dtsen_label(year: int, quarter: int) -> str:
    return _("DTSEN Triwulan %(quarter)s Tahun %(year)d", quarter=ROMAN[quarter], year=year)


def next_quarter(year: int, quarter: int):
    return (year + 1, 1) if quarter == 4 else (year, quarter + 1)


def program_description(program):
    """The stored (Indonesian) description in the reader's language."""
    return _(program.description) if program.description else ""


def stage_label(code):
    return STAGES.get(code, (code, ""))[0]


def stage_explanation(code):
    return STAGES.get(code, (code, ""))[1]


def seed_programs():
    """Inserts or updates the standard programs (idempotent)."""
    from .models import Program

    rows = [
        {"code": code, "name": name, "description": desc, "max_desil": max_desil,
         "per_person": per_person, "sort": i}
        for i, (code, name, desc, max_desil, per_person) in enumerate(PROGRAMS)
    ]
    (Program.insert_many(rows)
     .on_conflict(conflict_target=[Program.code],
                  preserve=[Program.name, Program.description, Program.max_desil,
                            Program.per_person, Program.sort])
     .execute())
