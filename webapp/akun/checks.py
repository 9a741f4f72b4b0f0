"""The registration rules, as wtforms validators: the same code runs for the
whole form and for the inline (htmx) check of one field."""

import re

from email_validator import EmailNotValidError, validate_email
from lokal import parse_phone
from wtforms.validators import StopValidation

from .. import clock
from ..i18n import gettext as _
from ..identity import age_on, check_nik, clean_kk, kk_problem, normalize_name

MIN_AGE = 17
PASSWORD_MIN = 8
PASSWORD_MAX = 128

# zxcvbn's English feedback, mapped to a fixed set of Indonesian reasons.
_ZXCVBN_REASONS = (
    ("common password", lambda: _("Kata sandi ini termasuk yang paling sering dipakai orang.")),
    ("similar to a commonly used", lambda: _("Kata sandi ini mirip kata sandi yang sering dipakai.")),
    ("keys", lambda: _("Deretan tombol keyboard (seperti qwerty) mudah ditebak.")),
    ("Repeats", lambda: _("Pengulangan (seperti aaa atau abcabc) mudah ditebak.")),
    ("Sequences", lambda: _("Urutan (seperti abc atau 6543) mudah ditebak.")),
    ("years", lambda: _("Tahun mudah ditebak.")),
    ("Dates", lambda: _("Tanggal mudah ditebak.")),
    ("surnames", lambda: _("Nama orang mudah ditebak.")),
    ("word by itself", lambda: _("Satu kata saja mudah ditebak.")),
)


def _stop(message):
    raise StopValidation(str(message))


def nik_for_account(form, field, today=None):
    """16 digits, a known region, a real birth date (women: day + 40), 17+."""
    result = check_nik(field.data)
    if not result.ok:
        _stop(result.error)
    if age_on(result.birth_date, today or clock.today()) < MIN_AGE:
        _stop(_("Menurut NIK, umur Anda belum %(n)d tahun. Akun hanya untuk pemilik KTP "
                "berumur %(n)d tahun ke atas.", n=MIN_AGE))
    field.data = result.nik
    field.nik_info = result


def no_kk(form, field):
    problem = kk_problem(field.data, str(field.label.text))
    if problem:
        _stop(problem)
    field.data = clean_kk(field.data)


def person_name(form, field):
    if not normalize_name(field.data):
        _stop(_("Nama hanya berisi huruf, spasi dan tanda baca. Ketik nama lengkap sesuai KTP."))


def rt_rw(form, field):
    text = (field.data or "").strip()
    if not (text.isascii() and text.isdigit() and 1 <= len(text) <= 3):
        _stop(_("%(label)s berisi 1–3 angka, contoh 004.", label=field.label.text))
    field.data = text.zfill(3)


def phone(form, field):
    info = parse_phone(field.data or "")
    if not info.valid or not info.e164:
        _stop(_("Nomor HP tidak dikenali. Tulis seperti 0812 3456 7890 atau +62 812 3456 7890."))
    if info.type != "mobile":
        _stop(_("Masukkan nomor HP (seluler), bukan nomor telepon rumah."))
    field.data = info.e164
    field.operator = info.operator


def email(form, field):
    if any(not ch.isprintable() for ch in field.data or ""):
        _stop(_("Alamat e-mail berisi karakter tersembunyi yang tidak dapat dipakai. "
                "Ketik ulang alamat e-mail Anda."))
    try:
        result = validate_email(field.data or "", check_deliverability=False)
    except EmailNotValidError:
        _stop(_("Alamat e-mail tidak benar. Tulis seperti nama@contoh.id."))
    field.data = result.normalized.lower()


def password(form, field):
    """Length and guessability only: no composition rules, spaces kept."""
    value = field.data or ""
    if len(value) < PASSWORD_MIN:
        _stop(_("Kata sandi paling sedikit %(n)d karakter. Kalimat pendek yang mudah Anda "
                "ingat juga boleh.", n=PASSWORD_MIN))
    if len(value) > PASSWORD_MAX:
        _stop(_("Kata sandi paling banyak %(n)d karakter.", n=PASSWORD_MAX))
    hints = [getattr(form, n).data or "" for n in ("nama", "email") if hasattr(form, n)]
    # zxcvbn's dictionaries cost a worker ~12 MB: loaded on the first password
    # checked, so lookup-only workers never carry them (issue 19, RSS).
    from zxcvbn import zxcvbn

    result = zxcvbn(value[:72], user_inputs=[w for h in hints for w in re.split(r"[\s@.]+", h) if w])
    if result["score"] < 2:
        warning = result["feedback"].get("warning") or ""
        reason = next((msg() for key, msg in _ZXCVBN_REASONS if key in warning),
                      _("Kata sandi ini mudah ditebak."))
        _stop(_("%(reason)s Pakai beberapa kata yang tidak biasa, misalnya kalimat pendek.",
                reason=reason))
