"""Officer forms. Dates come from <input type="date"> (or typed dd-mm-yyyy)."""


from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import StopValidation

from .. import clock
from ..akun.services import REJECT_REASONS
from ..forms import MaxChars, MultiCheckbox, Required, clean_text
from ..usulan import states
from ..usulan.forms import GateForm, parse_date
from .decisions import HOUSING


def _date(form, field):
    value = parse_date(field.data)
    if value is None or value.year < 2000:
        raise StopValidation(str(_l("Masukkan tanggal yang benar, contoh 2026-03-17.")))
    if value > clock.today():
        raise StopValidation(str(_l("Tanggal tidak boleh di masa depan.")))
    field.value = value


NO_DESIL = "belum"
DESIL_CHOICES = tuple(str(d) for d in range(1, 11)) + (NO_DESIL,)


class OneOf:
    def __init__(self, values, message):
        self.values, self.message = values, message

    def __call__(self, form, field):
        if field.data not in self.values:
            raise StopValidation(str(self.message))


class TotpForm(FlaskForm):
    kode = StringField(_l("Kode dari aplikasi autentikator"), filters=[clean_text], validators=[
        Required(_l("Masukkan 6 digit kode dari aplikasi autentikator.")), MaxChars(12)])


class AssistForm(GateForm):
    """Operator-assisted mode: "Cek Usulan" for a citizen present at the kiosk."""

    hadir = BooleanField(_l("Warga yang diusulkan hadir dan menunjukkan KTP dan KK aslinya"), validators=[
        Required(_l("Bantuan usulan hanya untuk warga yang hadir. Centang pernyataan ini setelah "
                    "memeriksa KTP dan KK aslinya."))])


class DecisionForm(FlaskForm):
    keputusan = StringField(_l("Putusan"), validators=[
        OneOf(states.DECISIONS, _l("Pilih setujui, tolak, atau perlu perbaikan."))])
    catatan = TextAreaField(_l("Alasan atau catatan untuk pengusul"), filters=[clean_text],
                            validators=[MaxChars(1000)])
    versi = HiddenField()
    musyawarah = StringField(_l("Musyawarah"), filters=[clean_text], validators=[MaxChars(64)])

    def validate_versi(self, field):
        if not (field.data or "").isdigit() or len(field.data) > 12:
            raise StopValidation(str(_l("Muat ulang halaman lalu putuskan lagi.")))
        field.value = int(field.data)

    def validate_catatan(self, field):
        if self.keputusan.data in (states.REJECT, states.RETURN) and not field.data:
            raise StopValidation(str(_l("Tulis alasan atau catatan yang dapat dibaca pengusul.")))


class VisitForm(FlaskForm):
    tanggal = StringField(_l("Tanggal kunjungan"), validators=[
        Required(_l("Masukkan tanggal kunjungan.")), _date])
    kondisi = MultiCheckbox(_l("Kondisi rumah yang ditemukan"), limit=50)
    catatan = TextAreaField(_l("Catatan kunjungan"), filters=[clean_text], validators=[MaxChars(2000)])
    # The desil the household is given from this visit: 1–10, or "belum"
    # (not assigned yet) with the reason.
    desil = StringField(_l("Desil hasil kunjungan rumah"), validators=[
        OneOf(DESIL_CHOICES, _l("Pilih desil 1–10, atau \"belum dapat ditentukan\" dengan alasannya."))])
    alasan_desil = StringField(_l("Alasan desil belum dapat ditentukan"), filters=[clean_text],
                               validators=[MaxChars(200)])

    def validate_alasan_desil(self, field):
        if self.desil.data == NO_DESIL and not field.data:
            raise StopValidation(str(_l("Tulis mengapa desil belum dapat ditentukan.")))

    @property
    def desil_value(self):
        return int(self.desil.data) if (self.desil.data or "").isdigit() else None

    def validate_kondisi(self, field):
        known = {code for code, _label in HOUSING}
        if any(c not in known for c in field.data or []):
            raise StopValidation(str(_l("Pilihan kondisi rumah tidak dikenal.")))


class MusyawarahForm(FlaskForm):
    tanggal = StringField(_l("Tanggal musyawarah"), validators=[
        Required(_l("Masukkan tanggal musyawarah.")), _date])


class AccountDecisionForm(FlaskForm):
    keputusan = StringField(_l("Putusan"), validators=[
        OneOf(("setujui", "tolak"), _l("Pilih setujui atau tolak."))])
    alasan = StringField(_l("Alasan penolakan"))

    def validate_alasan(self, field):
        if self.keputusan.data == "tolak" and field.data not in REJECT_REASONS:
            raise StopValidation(str(_l("Pilih alasan penolakan.")))


class ObjectionDecisionForm(FlaskForm):
    keputusan = StringField(_l("Putusan"), validators=[
        OneOf(("terima", "tolak"), _l("Pilih terima atau tolak."))])
    catatan = TextAreaField(_l("Catatan untuk pelapor"), filters=[clean_text], validators=[MaxChars(1000)])

    def validate_catatan(self, field):
        if self.keputusan.data == "tolak" and not field.data:
            raise StopValidation(str(_l("Tulis mengapa laporan tidak diterima.")))


class ExportForm(FlaskForm):
    class Meta:
        csrf = False  # a GET download: nothing changes

    dari = StringField(_l("Dari tanggal"), validators=[Required(_l("Masukkan tanggal awal.")), _date])
    sampai = StringField(_l("Sampai tanggal"), validators=[Required(_l("Masukkan tanggal akhir.")), _date])


class UploadForm(FlaskForm):
    """Only the CSRF token: the file itself is read from request.files."""

    nonce = HiddenField()


class OfficerForm(FlaskForm):
    """A new officer (officer accounts in the UI)."""

    email = StringField(_l("E-mail petugas"), filters=[clean_text], validators=[
        Required(_l("Masukkan alamat e-mail petugas.")), MaxChars(254)])
    nik = StringField(_l("NIK petugas"), filters=[clean_text], validators=[
        Required(_l("Masukkan NIK petugas (16 digit).")), MaxChars(40)])
    nama = StringField(_l("Nama petugas"), filters=[clean_text], validators=[
        Required(_l("Masukkan nama petugas.")), MaxChars(120)])
    peran = StringField(_l("Peran"), filters=[clean_text], validators=[Required(_l("Pilih peran petugas."))])
    wilayah = StringField(_l("Kode wilayah kerja"), filters=[clean_text], validators=[MaxChars(13)])


class RescopeForm(FlaskForm):
    peran = StringField(_l("Peran"), filters=[clean_text], validators=[Required(_l("Pilih peran petugas."))])
    wilayah = StringField(_l("Kode wilayah kerja"), filters=[clean_text], validators=[MaxChars(13)])


class EnrolPasswordForm(FlaskForm):
    sandi = StringField(_l("Kata sandi baru"), validators=[MaxChars(128)])
    ulang = StringField(_l("Ulangi kata sandi"), validators=[MaxChars(128)])


class EnrolCodeForm(FlaskForm):
    kode = StringField(_l("Kode dari aplikasi autentikator"), filters=[clean_text], validators=[
        Required(_l("Masukkan 6 digit kode dari aplikasi autentikator.")), MaxChars(12)])


class ResetCodeForm(FlaskForm):
    """Issuing a password code at the kantor desa: the officer confirms the
    KTP was checked in person (issue #16)."""

    ktp_diperiksa = BooleanField(_l("Saya sudah memeriksa KTP asli pemilik akun ini secara langsung"),
                                 validators=[Required(_l("Periksa KTP asli pemilik akun secara langsung, "
                                                         "lalu centang pernyataan ini."))])


class NikSearchForm(FlaskForm):
    class Meta:
        csrf = False

    nik = StringField(_l("NIK pemilik akun"), filters=[clean_text], validators=[
        MaxChars(40, _l("NIK harus 16 digit."))])
