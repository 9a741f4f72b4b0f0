"""A program line's row of HTML, kept per worker.

The programs table (templates/macros/programs.html) of the lookup and of the
profile is one row a program. A row is the same for everyone whose line has
the same facts in the same language (cek.services._line gives such lines one
key), so each worker renders it once and then reuses it: a lookup's answer
renders the person, not the same few sentences again."""

from flask import get_template_attribute
from markupsafe import Markup

from .. import cacheversion
from . import bp

ROWS_KEPT = 8192  # then it starts again (each row is a few hundred bytes)
_rows = {}
cacheversion.on_change("programs", _rows.clear)


@bp.app_template_global()
def program_row(line, expand):
    """The <tr> of `line` (macro program_row_markup), with the program's full name
    when `expand` (its first use on the page)."""
    if not line.key:  # a line built apart from the lookup's: rendered each time
        return _render(line, expand)
    key = (line.key, bool(expand))
    row = _rows.get(key)
    if row is None:
        if len(_rows) >= ROWS_KEPT:
            _rows.clear()
        row = _rows[key] = _render(line, expand)
    return row


def _render(line, expand):
    return Markup(get_template_attribute("macros/programs.html", "program_row_markup")(line, expand))  # noqa: S704 - our template
