"""Pieces of the programs table and the registry facts, kept per worker as HTML.

The lookup's answer and the profile show one person's programs as a table
(templates/macros/programs.html) and their desil, keterangan DTSEN and
status KPD. A row of the table is the same for everyone whose line has the
same facts in the same language (cek.services._line gives such lines one
key); the table's head is the same for everyone in one language; the
registry facts are the same for everyone with the same desil and codes.
Each worker renders each piece once and then reuses it: an answer renders
the person, not the same sentences again."""

from flask import get_template_attribute
from flask_babel import get_locale
from markupsafe import Markup

from .. import cacheversion
from ..kept import Kept
from . import bp

_kept = Kept(8192)  # pieces at most, then it starts again (each a few hundred bytes)
cacheversion.on_change("programs", _kept.clear)


def _piece(key, macro, *args):
    """The HTML of `macro` (macros/programs.html) for `args`, kept under
    `key`, which names everything that HTML depends on (the language too);
    a key of None renders it afresh."""
    if key is None:
        return _render(macro, *args)
    html = _kept.get(key)
    return html if html is not None else _kept.keep(key, _render(macro, *args))


def _render(macro, *args):
    return Markup(get_template_attribute("macros/programs.html", macro)(*args))  # noqa: S704 - our template


@bp.app_template_global()
def program_row(line, expand):
    """The <tr> of `line`, with the program's full name when `expand` (its
    first use on the page); a line built apart from the lookup's (no key)
    is rendered each time."""
    return _piece(("row", line.key, bool(expand)) if line.key else None, "program_row_markup", line, expand)


@bp.app_template_global()
def programs_head():
    return _piece(("head", str(get_locale())), "programs_head_markup")


@bp.app_template_global()
def registry_facts(p, scale, desil_label=None):
    """A person's desil, keterangan DTSEN and status KPD (cek.services.person_facts:
    the sentences follow from the three codes and the language)."""
    key = ("facts", str(get_locale()), p.desil, p.dtsen_note_code, p.kpd_code, str(scale),
           str(desil_label or ""))
    return _piece(key, "person_registry_facts_markup", p, scale, desil_label)
