"""Form pieces shared by every feature: cleaning filters and checks whose
messages tell a person what to do."""

import re

from flask import request
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import Field, StringField
from wtforms.validators import StopValidation

from .i18n import gettext as _

# The four levels of a region choice, top to bottom (wilayah.py's pickers and
# every form's region fields use these names).
REGION_LEVELS = ("provinsi", "kabupaten", "kecamatan", "desa")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE_RUN = re.compile(r"\s+")


def readable(value):
    """Refuses a value holding a letter that could not be read (a byte that
    is not UTF-8 arrives as U+FFFD, see webapp/formbody.py); the field keeps
    it, so the person sees where it was."""
    if isinstance(value, str) and "\ufffd" in value:
        raise ValueError(str(_l("Ada huruf yang tidak bisa dibaca (tampil sebagai \ufffd). "
                                "Hapus huruf itu lalu ketik lagi.")))
    return value


def clean_text(value):
    """Trims, folds inner whitespace runs and drops control characters (a NUL
    byte can only be a mistake or an attack)."""
    if value is None:
        return None
    value = str(value)
    if value.isprintable() and "  " not in value:
        return value.strip(" ")  # the common case, without the regular expressions
    return _SPACE_RUN.sub(" ", _CONTROL.sub("", value)).strip()


class Required:
    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if not field.data:
            field.errors[:] = []
            raise StopValidation(str(self.message))


class MaxChars:
    def __init__(self, limit, message=None):
        self.limit = limit
        self.message = message

    def __call__(self, form, field):
        if field.data and len(field.data) > self.limit:
            raise StopValidation(str(self.message or _l(
                "Terlalu panjang: paling banyak %(n)d karakter.", n=self.limit)))


class MultiCheckbox(Field):
    """Several values under one name (checkboxes): each cleaned and cut to
    `size` characters, at most `limit` of them; the form or view keeps the
    known ones. As data, any list of codes (e.g. db.comma_list of a column)."""

    def __init__(self, label=None, validators=None, limit=20, size=40, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.limit, self.size = limit, size

    def process_formdata(self, valuelist):
        self.data = [clean_text(v)[:self.size] for v in valuelist[:self.limit] if v]

    def process_data(self, value):
        self.data = list(value or [])


def region_fields():
    """The four region selects, in REGION_LEVELS order, for a form's body:
    `provinsi, kabupaten, kecamatan, desa = region_fields()` (made where they
    are written, so they keep that place in the form's order). Their codes
    are checked by the region picker (wilayah.build_picker) and region_chosen()."""
    labels = (_l("Provinsi"), _l("Kabupaten/Kota"), _l("Kecamatan"), _l("Desa/Kelurahan"))
    return tuple(StringField(label, filters=[readable, clean_text]) for label in labels)


def region_chosen(form, picker, per_ktp=False):
    """Whether the region picker reached a desa; if not, the first level it
    could not fill says "Pilih <level>." ("… sesuai KTP." with `per_ktp`)."""
    if picker.complete:
        return True
    field = form[next(level for level in REGION_LEVELS if level not in picker.chosen)]
    label = str(field.label.text)
    field.errors = [_("Pilih %(level)s sesuai KTP.", level=label) if per_ktp
                    else _("Pilih %(level)s.", level=label)]
    return False


def check_fields(form_class, **fields):
    """(form, first error message or None): a form's own rules over values
    that arrived another way (the real site's field names, the JSON API),
    so no rule is written twice. No CSRF here: the caller checked the
    request's own token or key."""
    form = form_class(formdata=MultiDict({k: v for k, v in fields.items() if v is not None}),
                      meta={"csrf": False})
    if form.validate():
        return form, None
    return form, next(str(msgs[0]) for msgs in form.errors.values() if msgs)


def errors_of(form, extra=(), picker=None):
    """[(anchor, message)] for a page's error summary: each field's first
    error, then `extra` pairs. With a region `picker`, region fields link to
    the picker's prefixed select ids."""
    return [((picker.id(name) if picker is not None and name in REGION_LEVELS else name), msgs[0])
            for name, msgs in form.errors.items() if msgs] + list(extra)


def int_arg(name, default=1):
    """A small positive whole number from the query string (?hal=2), else
    `default`: a typed or tampered value never makes a 500."""
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and 0 < len(value) < 7 else default


def page_arg():
    """The page number of a list (?hal=)."""
    return int_arg("hal")
