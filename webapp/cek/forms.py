"""The Cek Bansos form. The four region codes are checked against the
database by the region picker, not here."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import StopValidation

from ..forms import MaxChars, Required, clean_text, readable, region_fields
from ..identity import check_nik, normalize_name


def _valid_name(form, field):
    if not normalize_name(field.data):
        raise StopValidation(str(_l("Nama hanya berisi huruf, spasi dan tanda baca. "
                                    "Ketik nama lengkap sesuai KTP.")))


def _valid_nik(form, field):
    result = check_nik(field.data)
    if not result.ok:
        raise StopValidation(result.error)
    field.data = result.nik


class CekForm(FlaskForm):
    class Meta:
        # The request's CSRF token is checked once, by CSRFProtect before any
        # view (webapp.security): the form's own check read it a second time
        # and signed a fresh token that no answer shows (~9 % of a search).
        csrf = False

    mode = HiddenField(default="nama", filters=[readable, clean_text])
    provinsi, kabupaten, kecamatan, desa = region_fields()
    nama = StringField(_l("Nama sesuai KTP"), filters=[readable, clean_text], validators=[
        Required(_l("Masukkan nama lengkap sesuai KTP.")),
        MaxChars(100, _l("Nama terlalu panjang: paling banyak 100 karakter.")),
        _valid_name,
    ])
    nik = StringField(_l("NIK"), filters=[readable, clean_text], validators=[
        MaxChars(40, _l("NIK harus 16 digit.")), _valid_nik,
    ])
    captcha = StringField(_l("Kode captcha"), filters=[readable, clean_text], validators=[
        Required(_l("Ketik kode captcha yang tampil pada gambar.")),
        MaxChars(20, _l("Kode captcha terlalu panjang.")),
    ])
    captcha_token = HiddenField(filters=[readable, clean_text])

    @property
    def by_nik(self):
        return self.mode.data == "nik"

    def validate(self, extra_validators=None):
        # Only the fields of the chosen mode count.
        skip = self.nama if self.by_nik else self.nik
        skip.validators = []
        return super().validate(extra_validators)
