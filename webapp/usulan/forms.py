"""Forms of the proposal journey. Each is one topic; messages say what to do."""

import re
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import StopValidation

from .. import clock
from ..forms import MaxChars, MultiCheckbox, Required, clean_text, readable, region_fields
from ..i18n import N_
from ..identity import check_nik, clean_kk, kk_problem, normalize_name
from .drafts import CONDITIONS

SEXES = [("L", _l("Laki-laki")), ("P", _l("Perempuan"))]
# Stored in Indonesian (the KK's own words); shown translated: _(relationship).
RELATIONSHIPS = [N_("Kepala Keluarga"), N_("Suami"), N_("Istri"), N_("Anak"), N_("Menantu"), N_("Cucu"),
                 N_("Orang Tua"), N_("Mertua"), N_("Famili Lain"), N_("Lainnya")]
_DATE = re.compile(r"^(\d{1,2})[-/. ](\d{1,2})[-/. ](\d{4})$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(text):
    """'17-08-1975', '17/8/1975' or '1975-08-17' (a date input) → date, else None."""
    text = (text or "").strip()
    try:
        if _ISO.match(text):
            return date.fromisoformat(text)
        m = _DATE.match(text)
        return date(int(m.group(3)), int(m.group(2)), int(m.group(1))) if m else None
    except ValueError:
        return None


def _nik(form, field):
    result = check_nik(field.data)
    if not result.ok:
        raise StopValidation(result.error)
    field.data = result.nik
    form.nik_info = result


def _kk(form, field):
    problem = kk_problem(field.data, str(field.label.text))
    if problem:
        raise StopValidation(problem)
    field.data = clean_kk(field.data)


def _name(form, field):
    if not normalize_name(field.data):
        raise StopValidation(str(_l("Nama hanya berisi huruf, spasi dan tanda baca. Ketik nama sesuai KTP.")))


def _birth_date(form, field):
    value = parse_date(field.data)
    if value is None:
        raise StopValidation(str(_l("Masukkan tanggal lahir yang benar, contoh 17-08-1975.")))
    if value > clock.today() or value.year < 1900:
        raise StopValidation(str(_l("Tanggal lahir harus di masa lalu.")))
    info = getattr(form, "nik_info", None) or check_nik(form.nik_value())
    if info.ok and info.birth_date != value:
        raise StopValidation(str(_l("Tanggal lahir tidak sama dengan tanggal di NIK (digit 7–12). "
                                    "Periksa kembali KTP.")))
    form.birth_date_value = value


def _short_text(label, limit, required_msg):
    return StringField(label, filters=[clean_text],
                       validators=[Required(required_msg), MaxChars(limit)])


class GateForm(FlaskForm):
    no_kk = StringField(_l("No. KK"), filters=[clean_text], validators=[
        Required(_l("Masukkan No. KK 16 digit.")), MaxChars(40, _l("No. KK harus 16 digit.")), _kk])
    nik = StringField(_l("NIK orang yang diusulkan"), filters=[clean_text], validators=[
        MaxChars(40, _l("NIK harus 16 digit.")), _nik])


class PersonForm(FlaskForm):
    name = StringField(_l("Nama lengkap sesuai KTP"), filters=[clean_text], validators=[
        Required(_l("Masukkan nama lengkap sesuai KTP.")), MaxChars(100), _name])
    birth_place = _short_text(_l("Tempat lahir"), 60, _l("Masukkan tempat lahir sesuai KTP."))
    birth_date = StringField(_l("Tanggal lahir"), filters=[clean_text], validators=[
        Required(_l("Masukkan tanggal lahir, contoh 17-08-1975.")), MaxChars(20), _birth_date])
    sex = StringField(_l("Jenis kelamin"), filters=[clean_text], validators=[
        Required(_l("Pilih jenis kelamin."))])
    sex_options = SEXES
    occupation = _short_text(_l("Pekerjaan"), 60, _l("Masukkan pekerjaan, atau tulis Tidak bekerja."))

    def __init__(self, *args, proposal_nik=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._proposal_nik = proposal_nik

    def nik_value(self):
        return self._proposal_nik

    def validate_sex(self, field):
        if field.data not in ("L", "P"):
            raise StopValidation(str(_l("Pilih jenis kelamin.")))
        # The NIK carries the sex: for a woman 40 is added to the birth day (digits 7–8).
        info = getattr(self, "nik_info", None) or check_nik(self.nik_value())
        if info.ok and info.sex and info.sex != field.data:
            raise StopValidation(str(SEX_MISMATCH[info.sex]))


SEX_MISMATCH = {
    "P": _l("Menurut NIK, orang ini perempuan: pada NIK perempuan, tanggal lahir (digit 7–8) ditambah 40. "
            "Periksa kembali jenis kelamin dan NIK pada KTP."),
    "L": _l("Menurut NIK, orang ini laki-laki: pada NIK perempuan, tanggal lahir (digit 7–8) ditambah 40, "
            "dan NIK ini tidak. Periksa kembali jenis kelamin dan NIK pada KTP."),
}


class MemberForm(PersonForm):
    nik = StringField(_l("NIK"), filters=[clean_text], validators=[
        MaxChars(40, _l("NIK harus 16 digit.")), _nik])
    relationship = StringField(_l("Hubungan dalam keluarga"), filters=[clean_text], validators=[
        Required(_l("Pilih hubungan dalam keluarga."))])
    relationship_options = [(r, _l(r)) for r in RELATIONSHIPS]
    birth_place = HiddenField()

    def nik_value(self):
        return self.nik.data

    def validate_relationship(self, field):
        if field.data not in RELATIONSHIPS:
            raise StopValidation(str(_l("Pilih hubungan dalam keluarga.")))


class DomicileForm(FlaskForm):
    provinsi, kabupaten, kecamatan, desa = region_fields()
    street = _short_text(_l("Jalan, nomor rumah, dusun"), 200,
                         _l("Masukkan nama jalan atau dusun dan nomor rumah."))
    rt = StringField(_l("RT"), filters=[clean_text], validators=[Required(_l("Masukkan nomor RT."))])
    rw = StringField(_l("RW"), filters=[clean_text], validators=[Required(_l("Masukkan nomor RW."))])

    def _number(self, field, message):
        if not (field.data.isascii() and field.data.isdigit() and 1 <= len(field.data) <= 3):
            raise StopValidation(str(message))
        field.data = field.data.zfill(3)

    def validate_rt(self, field):
        self._number(field, _l("RT berupa angka 1–3 digit, contoh 003."))

    def validate_rw(self, field):
        self._number(field, _l("RW berupa angka 1–3 digit, contoh 012."))


class ConditionsForm(FlaskForm):
    conditions = MultiCheckbox(_l("Kondisi keluarga"))
    condition_options = list(CONDITIONS)
    reason = TextAreaField(_l("Alasan diusulkan"), filters=[clean_text], validators=[
        Required(_l("Tulis alasan keluarga ini perlu dibantu.")),
        MaxChars(1000, _l("Alasan terlalu panjang: paling banyak 1000 karakter."))])


class ProgramsForm(FlaskForm):
    programs = MultiCheckbox(_l("Program"))

    def validate_programs(self, field):
        if not field.data:
            raise StopValidation(str(_l("Pilih paling sedikit satu program.")))


class StatusForm(FlaskForm):
    receipt = StringField(_l("Nomor tanda terima"), filters=[readable, clean_text], validators=[
        Required(_l("Masukkan nomor tanda terima, contoh USL-AC3F-K7WX.")), MaxChars(20)])
    birth_date = StringField(_l("Tanggal lahir orang yang diusulkan"), filters=[readable, clean_text],
                             validators=[Required(_l("Masukkan tanggal lahir, contoh 17-08-1975.")),
                                         MaxChars(20)])
    captcha = StringField(_l("Kode captcha"), filters=[readable, clean_text], validators=[
        Required(_l("Ketik kode captcha yang tampil pada gambar.")), MaxChars(20)])
    captcha_token = HiddenField(filters=[readable, clean_text])

    def validate_birth_date(self, field):
        if parse_date(field.data) is None:
            raise StopValidation(str(_l("Masukkan tanggal lahir yang benar, contoh 17-08-1975.")))


def stamp(value: datetime) -> str:
    return clock.show(value)
