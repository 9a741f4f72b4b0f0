"""The objection and withdrawal forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import StopValidation

from ..forms import MaxChars, Required, clean_text
from .services import REASONS

_HONEST = _l("Centang pernyataan bahwa data yang Anda sampaikan benar.")


class ObjectionForm(FlaskForm):
    reason = StringField(_l("Alasan sanggahan"), filters=[clean_text],
                         validators=[Required(_l("Pilih alasan sanggahan."))])
    reason_options = [(code, label) for code, (label, _ended) in REASONS.items()]
    reason_choices = list(REASONS.items())
    note = TextAreaField(_l("Keterangan"), filters=[clean_text], validators=[
        MaxChars(1000, _l("Keterangan terlalu panjang: paling banyak 1000 karakter."))])
    latitude = StringField(_l("Garis lintang"), filters=[clean_text])
    longitude = StringField(_l("Garis bujur"), filters=[clean_text])
    location_note = TextAreaField(_l("Keterangan lokasi"), filters=[clean_text], validators=[
        MaxChars(300, _l("Keterangan lokasi terlalu panjang: paling banyak 300 karakter."))])
    honest = StringField(_l("Pernyataan"), filters=[clean_text], validators=[Required(_HONEST)])

    def validate_latitude(self, field):
        self._coordinate(field, _l("Garis lintang berupa angka, mis. -6.4025."))

    def validate_longitude(self, field):
        self._coordinate(field, _l("Garis bujur berupa angka, mis. 106.8194."))

    @staticmethod
    def _coordinate(field, message):
        text = (field.data or "").replace(",", ".")
        if not text:
            field.value = None
            return
        try:
            value = float(text)
        except ValueError:
            raise StopValidation(str(message)) from None
        if value != value or abs(value) == float("inf") or len(text) > 20:
            raise StopValidation(str(message))
        field.value = value

    def coordinates(self):
        return getattr(self.latitude, "value", None), getattr(self.longitude, "value", None)

    def validate_reason(self, field):
        if field.data not in REASONS:
            raise StopValidation(str(_l("Pilih alasan sanggahan.")))

    def validate_note(self, field):
        if self.reason.data == "lainnya" and not field.data:
            raise StopValidation(str(_l("Tulis alasan lain tersebut.")))


class WithdrawForm(FlaskForm):
    program = StringField(_l("Program"), filters=[clean_text],
                          validators=[Required(_l("Pilih program yang ingin Anda hentikan."))])
    note = TextAreaField(_l("Keterangan (boleh kosong)"), filters=[clean_text], validators=[
        MaxChars(1000, _l("Keterangan terlalu panjang: paling banyak 1000 karakter."))])
    honest = StringField(_l("Pernyataan"), filters=[clean_text], validators=[Required(_HONEST)])
