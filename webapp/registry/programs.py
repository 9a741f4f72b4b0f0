"""Programs, their kinds, stages, periods and every registry code a person can
see: the vocabulary of the registry, each code with a plain sentence and a
next step (third person: the person looked up is often a relative).

Each program has a KIND with its own status vocabulary:

- tunai (cash transfer: PKH, BLT) and pendidikan (education: PIP) and
  pangan (food balance: BPNT/Sembako) move through money stages
  PENETAPAN → PROSES_BANK → SP2D → SUDAH_TRANSAKSI, or DIHENTIKAN, each
  worded for what reaches the family (cash, a food balance on a card, a
  student's savings account);
- kesehatan (health-insurance membership: PBI-JK) is a BPJS Kesehatan
  membership whose premium the government pays: AKTIF or NONAKTIF, since
  when, never a money stage.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from ..cacheversion import bump
from ..i18n import N_
from ..i18n import gettext as _
from .models import MONTHS, Program, period_label  # noqa: F401 - period_label: programs.* callers

CASH, FOOD, HEALTH, EDUCATION = "tunai", "pangan", "kesehatan", "pendidikan"

KIND_LABELS = {
    CASH: _l("Bantuan uang tunai"),
    FOOD: _l("Saldo belanja bahan pangan"),
    HEALTH: _l("Jaminan kesehatan (BPJS Kesehatan), bukan uang"),
    EDUCATION: _l("Bantuan biaya sekolah"),
}

# (code, name, full name, description, max desil, per person, kind). The
# database keeps the Indonesian texts; pages show them through _().
PROGRAMS = [
    ("PKH", "PKH", N_("Program Keluarga Harapan"),
     N_("Program Keluarga Harapan: bantuan tunai bersyarat untuk keluarga dengan "
        "ibu hamil, anak usia dini, anak sekolah, lansia atau penyandang disabilitas."),
     4, False, CASH),
    ("SEMBAKO", "BPNT/Sembako", N_("Bantuan Pangan Non Tunai (Program Sembako)"),
     N_("Bantuan Pangan Non Tunai: saldo bulanan untuk membeli bahan "
        "pangan di e-warong."), 5, False, FOOD),
    ("PBI-JK", "PBI-JK/KIS", N_("Penerima Bantuan Iuran Jaminan Kesehatan (Kartu Indonesia Sehat)"),
     N_("Penerima Bantuan Iuran Jaminan Kesehatan: iuran BPJS Kesehatan "
        "dibayar pemerintah."), 5, True, HEALTH),
    ("BLT", "BLT", N_("Bantuan Langsung Tunai"),
     N_("Bantuan Langsung Tunai sementara, misalnya saat harga pangan naik."), 4, False, CASH),
    ("PIP", "PIP", N_("Program Indonesia Pintar"),
     N_("Program Indonesia Pintar: bantuan biaya sekolah untuk anak usia sekolah."), 5, True, EDUCATION),
]
KIND_OF = {code: kind for code, _n, _f, _d, _m, _p, kind in PROGRAMS}
FULL_NAMES = {code: full for code, _n, full, _d, _m, _p, _k in PROGRAMS}
THRESHOLDS = {code: max_desil for code, _n, _f, _d, max_desil, _p, _k in PROGRAMS}

MONEY_STAGES = ("PENETAPAN", "PROSES_BANK", "SP2D", "SUDAH_TRANSAKSI", "DIHENTIKAN")
HEALTH_STAGES = ("AKTIF", "NONAKTIF")
ACTIVE, INACTIVE, ENDED, FIRST = "AKTIF", "NONAKTIF", "DIHENTIKAN", "PENETAPAN"

_WAIT = _l("Belum ada yang perlu dilakukan. Tunggu kabar dari pendamping sosial atau kantor "
           "desa/kelurahan.")
_ASK = _l("Tanyakan ke kantor desa/kelurahan atau Dinas Sosial setempat dengan membawa KTP dan KK.")
_NOT_RECEIVED = _l("Jika keluarga ini belum menerimanya, laporkan ke pendamping sosial atau Dinas Sosial "
                   "setempat dengan membawa KTP dan KK.")

# (kind, stage) → (label, what it means, what to do next).
STAGES = {
    (CASH, "PENETAPAN"): (
        _l("Ditetapkan sebagai penerima"),
        _l("Sudah ditetapkan sebagai penerima untuk periode ini. Uangnya belum dikirim ke bank penyalur "
           "atau Kantor Pos."),
        _WAIT),
    (CASH, "PROSES_BANK"): (
        _l("Disiapkan bank penyalur"),
        _l("Bank penyalur sedang menyiapkan rekening dan KKS (Kartu Keluarga Sejahtera)."),
        _l("Tunggu undangan dari bank, pendamping sosial atau kantor desa/kelurahan; bawa KTP dan KK saat "
           "diundang.")),
    (CASH, "SP2D"): (
        _l("Uang sedang dikirim"),
        _l("SP2D (Surat Perintah Pencairan Dana) sudah terbit: uangnya sedang dikirim ke rekening penerima "
           "atau ke Kantor Pos."),
        _l("Dalam beberapa hari uang dapat diambil di bank penyalur, agen bank atau Kantor Pos dengan KKS "
           "atau KTP.")),
    (CASH, "SUDAH_TRANSAKSI"): (
        _l("Sudah diambil"),
        _l("Uang untuk periode ini sudah sampai dan tercatat sudah diambil."),
        _NOT_RECEIVED),
    (CASH, "DIHENTIKAN"): (
        _l("Dihentikan"),
        _l("Bantuan ini dihentikan untuk periode ini."), _ASK),
    (FOOD, "PENETAPAN"): (
        _l("Ditetapkan sebagai penerima"),
        _l("Sudah ditetapkan sebagai penerima untuk periode ini. Saldonya belum diisikan ke kartu."),
        _WAIT),
    (FOOD, "PROSES_BANK"): (
        _l("Kartu disiapkan bank"),
        _l("Bank penyalur sedang menyiapkan KKS (Kartu Keluarga Sejahtera) tempat saldo belanja diisikan."),
        _l("Tunggu undangan dari bank, pendamping sosial atau kantor desa/kelurahan; bawa KTP dan KK saat "
           "diundang.")),
    (FOOD, "SP2D"): (
        _l("Saldo sedang diisikan"),
        _l("SP2D (Surat Perintah Pencairan Dana) sudah terbit: saldo sedang diisikan ke KKS atau "
           "disalurkan lewat Kantor Pos."),
        _l("Setelah saldo masuk, belanjakan untuk bahan pangan di e-warong (warung yang ditunjuk) dengan "
           "KKS.")),
    (FOOD, "SUDAH_TRANSAKSI"): (
        _l("Sudah dibelanjakan"),
        _l("Saldo untuk periode ini sudah masuk dan tercatat sudah dibelanjakan."),
        _NOT_RECEIVED),
    (FOOD, "DIHENTIKAN"): (
        _l("Dihentikan"),
        _l("Bantuan ini dihentikan untuk periode ini."), _ASK),
    (EDUCATION, "PENETAPAN"): (
        _l("Ditetapkan sebagai penerima"),
        _l("Siswa ini sudah ditetapkan sebagai penerima untuk periode ini. Dananya belum dikirim."),
        _l("Tanyakan ke sekolah kapan rekening siswa dibuka.")),
    (EDUCATION, "PROSES_BANK"): (
        _l("Rekening siswa dibuka"),
        _l("Bank penyalur sedang membuka rekening tabungan atas nama siswa."),
        _l("Ikuti petunjuk sekolah untuk mengaktifkan rekening; bawa KTP orang tua, KK dan kartu pelajar.")),
    (EDUCATION, "SP2D"): (
        _l("Dana sedang dikirim"),
        _l("SP2D (Surat Perintah Pencairan Dana) sudah terbit: dananya sedang dikirim ke rekening siswa."),
        _l("Dana dapat diambil di bank penyalur oleh siswa bersama orang tua atau wali.")),
    (EDUCATION, "SUDAH_TRANSAKSI"): (
        _l("Sudah diambil"),
        _l("Dana untuk periode ini sudah sampai di rekening siswa dan tercatat sudah diambil."),
        _l("Jika siswa belum menerimanya, tanyakan ke sekolah atau Dinas Pendidikan setempat.")),
    (EDUCATION, "DIHENTIKAN"): (
        _l("Dihentikan"),
        _l("Bantuan ini dihentikan untuk periode ini."),
        _l("Tanyakan alasannya ke sekolah atau Dinas Pendidikan setempat.")),
    (HEALTH, "AKTIF"): (
        _l("Aktif"),
        _l("Kepesertaan BPJS Kesehatan orang ini aktif dan iurannya dibayar pemerintah. Ini bukan bantuan "
           "uang: tidak ada dana yang perlu diambil."),
        _l("Bawa KIS (Kartu Indonesia Sehat) atau KTP saat berobat ke puskesmas atau rumah sakit yang "
           "bekerja sama dengan BPJS Kesehatan; tidak perlu membayar iuran.")),
    (HEALTH, "NONAKTIF"): (
        _l("Nonaktif"),
        _l("Kepesertaan BPJS Kesehatan orang ini tidak aktif: iurannya tidak lagi dibayar pemerintah, "
           "sehingga KIS-nya belum dapat dipakai berobat tanpa biaya."),
        _l("Bila orang ini tidak mampu atau sedang perlu berobat, datang ke Dinas Sosial setempat dengan KTP "
           "dan KK (juga KIS dan surat keterangan berobat bila ada) untuk meminta pengaktifan kembali; surat "
           "dari Dinas Sosial lalu dibawa ke kantor BPJS Kesehatan.")),
}

# Why an enrollment ended (Enrollment.ended_reason, as the registry and the
# objection decisions write it) → (what it means, what to do next).
ENDED_REASONS = {
    "EXCLUDE – MAMPU": (
        _l("Menurut data terbaru, keluarga ini dinilai sudah mampu."),
        _l("Jika keadaan keluarga ini tidak membaik, minta pemutakhiran data di kantor desa/kelurahan "
           "dengan membawa KTP dan KK.")),
    "EXCLUDE – MENINGGAL": (
        _l("Orang ini tercatat sudah meninggal dunia."),
        _l("Jika itu keliru, bawa KTP dan KK ke Dinas Kependudukan dan Pencatatan Sipil (Disdukcapil) lalu "
           "ke Dinas Sosial untuk memperbaiki data.")),
    "EXCLUDE – PINDAH": (
        _l("Orang ini tercatat sudah pindah dari desa/kelurahan ini."),
        _l("Minta pendataan di kantor desa/kelurahan tempat tinggal yang baru, dengan KTP dan KK.")),
    "EXCLUDE – GANDA": (
        _l("Orang ini tercatat dua kali; data yang ganda dihentikan."),
        _l("Bila tidak ada bantuan lain yang masih tercatat, tanyakan ke Dinas Sosial dengan KTP dan KK.")),
    "EXCLUDE – ASN/TNI/POLRI": (
        _l("Keluarga ini tercatat sebagai keluarga ASN (pegawai negeri), TNI atau Polri, yang tidak "
           "termasuk penerima bantuan sosial."),
        _l("Jika itu keliru, bawa KTP dan KK ke Dinas Sosial untuk memperbaiki data.")),
    "EXCLUDE – MENGUNDURKAN DIRI": (
        _l("Keluarga ini sudah mengundurkan diri sebagai penerima."),
        _l("Jika keadaan keluarga memburuk lagi, keluarga ini dapat diusulkan kembali.")),
    "EXCLUDE – LAINNYA": (
        _l("Bantuan dihentikan setelah pemeriksaan Dinas Sosial."),
        _ASK),
}
_ENDED_UNKNOWN = (_l("Bantuan dihentikan setelah pemutakhiran data."), _ASK)

# Keterangan DTSEN: what the national register notes about the person.
DTSEN_NOTES = {
    "TERDATA": (
        _l("Terdaftar di DTSEN dan sudah dicocokkan dengan data kependudukan (Dukcapil)."), ""),
    "PERLU_PEMUTAKHIRAN": (
        _l("Terdaftar di DTSEN, tetapi datanya perlu diperbarui (misalnya alamat atau anggota keluarga)."),
        _l("Datang ke kantor desa/kelurahan dengan KTP dan KK untuk memperbarui data.")),
    "BELUM_PADAN": (
        _l("Terdaftar di DTSEN, tetapi NIK-nya belum cocok dengan data kependudukan (Dukcapil)."),
        _l("Periksa NIK di Dinas Kependudukan dan Pencatatan Sipil (Disdukcapil) dengan KTP dan KK.")),
    "ASN_TNI_POLRI": (
        _l("Tercatat sebagai keluarga ASN (pegawai negeri), TNI atau Polri, yang tidak termasuk penerima "
           "bantuan sosial."),
        _l("Jika itu keliru, bawa KTP dan KK ke Dinas Sosial untuk memperbaiki data.")),
}

# Keterangan on a PBI-JK membership (Enrollment.note).
PBI_NOTES = {
    "APBN": (_l("Iurannya dibayar pemerintah pusat."), ""),
    "REAKTIVASI": (_l("Diaktifkan kembali setelah diusulkan Dinas Sosial."), ""),
    "PEMUTAKHIRAN": (
        _l("Dinonaktifkan karena pemutakhiran DTSEN: keluarga ini tidak lagi tercatat pada desil 1–5."),
        _l("Bila orang ini tidak mampu atau perlu berobat, minta pengaktifan kembali ke Dinas Sosial dengan "
           "KTP dan KK.")),
    "PEMDA": (
        _l("Dipindahkan ke jaminan kesehatan yang iurannya dibayar pemerintah daerah (PBI daerah)."),
        _l("Tetap dapat berobat dengan KIS atau KTP; tanyakan ke kantor BPJS Kesehatan bila ragu.")),
}

# Status KPD, as the real result's last cell shows it per person.
# The expansion of "KPD" could not be confirmed from public sources, so the
# words say what the value records and where to ask, not a guessed meaning.
_ASK_KPD = _l("Untuk arti status ini bagi keluarga ini, tanyakan ke pendamping sosial atau Dinas Sosial "
              "setempat.")
KPD_STATUSES = {
    "YA": (_l("YA: Kementerian Sosial mencatat orang ini pada daftar KPD untuk periode ini."), _ASK_KPD),
    "TIDAK": (_l("TIDAK: orang ini tidak tercatat pada daftar KPD untuk periode ini."), _ASK_KPD),
}

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass
class Said:
    """A code as a person reads it: a label, what it means, what to do."""

    label: str
    meaning: str
    next_step: str = ""


def quarter_of(day: date):
    return day.year, (day.month - 1) // 3 + 1


def quarter_start(year: int, quarter: int) -> date:
    return date(year, (quarter - 1) * 3 + 1, 1)


def date_label(day: date) -> str:
    """date(2026, 7, 1) → '1 Juli 2026'."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def dtsen_label(year: int, quarter: int) -> str:
    return _("DTSEN Triwulan %(quarter)s Tahun %(year)d", quarter=ROMAN[quarter], year=year)


def dtsen_sentence(year: int, quarter: int) -> str:
    return _("Data dari DTSEN (Data Tunggal Sosial Ekonomi Nasional) Kementerian Sosial untuk triwulan "
             "%(quarter)s, yaitu %(period)s.", quarter=ROMAN[quarter], period=period_label(year, quarter))


def next_quarter(year: int, quarter: int):
    return (year + 1, 1) if quarter == 4 else (year, quarter + 1)


def program_description(program):
    """The stored (Indonesian) description in the reader's language."""
    return _(program.description) if program.description else ""


def kind_of(code):
    return KIND_OF.get(code, CASH)


def stages_for(kind):
    """The stage codes a program of this kind may have."""
    return HEALTH_STAGES if kind == HEALTH else MONEY_STAGES


def first_stage(kind):
    """Where a newly approved enrollment starts."""
    return ACTIVE if kind == HEALTH else FIRST


def ended_stage(kind):
    return INACTIVE if kind == HEALTH else ENDED


def _health_code(code):
    # An objection upheld on a membership ends it like any program (DIHENTIKAN):
    # for a membership that is "nonaktif".
    return INACTIVE if code == ENDED else code


def stage_said(kind, code) -> Said:
    """A stage in plain words for the program's kind. A code outside the
    kind's vocabulary never reaches a page as a money stage."""
    if kind == HEALTH:
        code = _health_code(code)
    found = STAGES.get((kind, code))
    if found is None:
        return Said(str(_l("Belum ada keterangan")), str(_l("Tahap ini belum dapat dijelaskan.")), str(_ASK))
    label, meaning, todo = found
    return Said(str(label), str(meaning), str(todo))


def stage_label(code, kind=CASH):
    return stage_said(kind, code).label


def stage_explanation(code, kind=CASH):
    return stage_said(kind, code).meaning


def ended_reason_said(code) -> Said:
    """Why an enrollment ended, never the raw EXCLUDE code."""
    meaning, todo = ENDED_REASONS.get((code or "").strip(), _ENDED_UNKNOWN)
    return Said("", str(meaning), str(todo))


def _note(table, code):
    if not code:
        return None
    meaning, todo = table.get(code, (_l("Keterangan belum dapat dijelaskan."), _ASK))
    return Said("", str(meaning), str(todo))


def dtsen_note_said(code):
    return _note(DTSEN_NOTES, code)


def pbi_note_said(code):
    return _note(PBI_NOTES, code)


def kpd_said(code):
    return _note(KPD_STATUSES, code)


def desil_scale():
    """The scale and each program's threshold in one sentence."""
    return _("Desil adalah peringkat kesejahteraan keluarga dalam DTSEN, dari 1 (paling rendah) sampai 10 "
             "(paling tinggi). PKH untuk desil 1–%(pkh)d; BPNT/Sembako dan PBI-JK untuk desil 1–%(food)d.",
             pkh=THRESHOLDS["PKH"], food=THRESHOLDS["SEMBAKO"])


def desil_sentence(desil):
    if desil is None:
        return _("Keluarga ini belum diberi desil. Minta pendataan di kantor desa/kelurahan bila keluarga "
                 "ini membutuhkan bantuan.")
    return _("Keluarga ini berada pada desil %(d)d dari 10.", d=desil)


def desil_allows(code, desil, max_desil=None):
    """Whether a household at `desil` may receive the program. A household
    without a desil may not be enrolled in a program that has a threshold."""
    limit = THRESHOLDS.get(code) if max_desil is None else max_desil
    if limit is None:
        return True
    return desil is not None and desil <= limit


def seed_programs():
    """Inserts or updates the standard programs (idempotent)."""
    rows = [
        {"code": code, "name": name, "description": desc, "max_desil": max_desil,
         "per_person": per_person, "sort": i, "kind": kind}
        for i, (code, name, _full, desc, max_desil, per_person, kind) in enumerate(PROGRAMS)
    ]
    (Program.insert_many(rows)
     .on_conflict(conflict_target=[Program.code],
                  preserve=[Program.name, Program.description, Program.max_desil,
                            Program.per_person, Program.sort, Program.kind])
     .execute())

    bump("programs")  # every worker's copy (webapp.cek.services) is dropped
