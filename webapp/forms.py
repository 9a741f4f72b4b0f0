"""Form pieces shared by every feature: cleaning filters and checks whose
messages tell a person what to do."""

import re

from flask_babel import lazy_gettext as _l
from wtforms.validators import StopValidation

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


def check_fields(form_class, **fields):
    """(form, first error message or None): a form's own rules over values
    that arrived another way (the real site's field names, the JSON API),
    so no rule is written twice. No CSRF here: the caller checked the
    request's own token or key."""
    from werkzeug.datastructures import MultiDict

    form = form_class(formdata=MultiDict({k: v for k, v in fields.items() if v is not None}),
                      meta={"csrf": False})
    if form.validate():
        return form, None
    return form, next(str(msgs[0]) for msgs in form.errors.values() if msgs)
