"""English is complete: every msgid in the sources (extracted exactly as
babel.cfg says, the officer pages included) has an English msgstr with the
same placeholders, and switching to English changes pages, error pages and
e-mail. The .mo is compiled from the .po by webapp.i18n (see its docstring)."""

import os
import re
import shutil
import warnings

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from webapp.i18n import compile_translations

from .conftest import form_fields

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRANSLATIONS = os.path.join(ROOT, "translations")
EN_PO = os.path.join(TRANSLATIONS, "en", "LC_MESSAGES", "messages.po")
# The same keywords as the documented `pybabel extract -k lazy_gettext -k _l`.
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None}
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?([sdifr%])")


class ObsoleteTranslation(UserWarning):
    """A translated msgid no longer in the sources (harmless; tidy with pybabel update)."""


def source_messages():
    """{msgid: "file:line"} for every string marked for translation."""
    with open(os.path.join(ROOT, "babel.cfg")) as f:
        method_map, options_map = parse_mapping_cfg(f, "babel.cfg")
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            ROOT, method_map, options_map, keywords=KEYWORDS):
        msgid = message if isinstance(message, str) else tuple(message)
        found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def english_catalog():
    with open(EN_PO, "rb") as f:
        return read_po(f, locale="en")


def key(message):
    return message.id if isinstance(message.id, str) else tuple(message.id)


def placeholders(text):
    return sorted(f"{name or ''}{kind}" for name, kind in PLACEHOLDER.findall(text) if kind != "%")


def test_every_string_has_an_english_translation():
    catalog = english_catalog()
    translated = {}
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        translated[key(message)] = not message.fuzzy and all(s and s.strip() for s in strings)
    sources = source_messages()
    missing = [f"{where}: {msgid!r}" for msgid, where in sorted(sources.items(), key=lambda kv: kv[1])
               if not translated.get(msgid)]
    assert not missing, (
        f"{len(missing)} string(s) without an English translation in {EN_PO} "
        "(pybabel extract … && pybabel update -i translations/messages.pot -d translations, "
        "then translate; no fuzzy entries):\n" + "\n".join(missing))


@pytest.mark.filterwarnings("default::tests.test_i18n.ObsoleteTranslation")
def test_obsolete_translations_only_warn():
    sources = source_messages()
    obsolete = [key(m) for m in english_catalog() if m.id and key(m) not in sources]
    if obsolete:
        warnings.warn(ObsoleteTranslation(
            f"{len(obsolete)} English entries no longer in the sources: {obsolete[:5]!r}…"), stacklevel=1)


def test_placeholders_match():
    wrong = []
    for message in english_catalog():
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        expected = placeholders(ids[-1])
        for string in strings:
            if string and placeholders(string) != expected:
                wrong.append(f"{ids[0]!r}: {placeholders(string)} ≠ {expected}")
    assert not wrong, "placeholders differ between msgid and msgstr:\n" + "\n".join(wrong)


def test_compile_translations_writes_a_missing_or_stale_mo_only(tmp_path):
    target = tmp_path / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(EN_PO, target / "messages.po")
    assert compile_translations(str(tmp_path)) == [str(target / "messages.mo")]
    assert compile_translations(str(tmp_path)) == []
    os.utime(target / "messages.po", (0, os.path.getmtime(target / "messages.mo") + 10))
    assert compile_translations(str(tmp_path)) == [str(target / "messages.mo")]
    assert not [p for p in os.listdir(target) if p.endswith(".tmp")]


def _english(client):
    csrf, _ = form_fields(client.get("/").get_data(as_text=True))
    response = client.post("/bahasa", data={"csrf_token": csrf, "lang": "en", "next": "/"})
    assert response.status_code == 303


def test_indonesian_by_default(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="id">' in html
    assert "Cek Penerima Bantuan Sosial</h1>" in html


def test_english_pages_and_error_pages(client):
    _english(client)
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Check Social Assistance Recipients</h1>" in html
    assert "Cek Penerima Bantuan Sosial" not in html
    missing = client.get("/tidak-ada-halaman-ini")
    assert missing.status_code == 404
    page = missing.get_data(as_text=True)
    assert "<h1>Page not found</h1>" in page and "Back to the home page" in page
    assert "Halaman tidak ditemukan" not in page


def test_english_e_mail(client, akun, mail_outbox):
    _english(client)
    assert akun.register().status_code == 302
    message = mail_outbox.last()
    assert message["Subject"] == "Cek Bansos e-mail confirmation code"
    assert "Enter this code to confirm your e-mail address:" in message.get_content()
    # Registering signs in, which renews the session but keeps the language.
    assert '<html lang="en">' in client.get("/akun/verifikasi").get_data(as_text=True)


def test_templates_follow_the_language_in_force_within_one_request(app):
    """Templates read the catalogue once per request (webapp.i18n.catalogue):
    a language forced for a part of the request (a mail in the recipient's
    language) and a language chosen mid-request with refresh() still win."""
    from flask import render_template_string, session
    from flask_babel import force_locale, refresh

    said = "{{ _('Halaman tidak ditemukan') }}"
    with app.test_request_context("/"):
        assert render_template_string(said) == "Halaman tidak ditemukan"
        with force_locale("en"):
            assert render_template_string(said) == "Page not found"
        assert render_template_string(said) == "Halaman tidak ditemukan"
        session["lang"] = "en"
        refresh()
        assert render_template_string(said) == "Page not found"
    with app.test_request_context("/"):  # the next request chooses afresh
        assert render_template_string(said) == "Halaman tidak ditemukan"


def test_template_gettext_behaves_as_jinjas_newstyle_one(app):
    """The templates' own `_`, gettext() and ngettext() (webapp.i18n) fill
    and escape as Jinja's newstyle gettext does: the translation trusted,
    a variable escaped where the template autoescapes and never in a plain
    text template (a mail), `%%` a percent sign, `num` filled in."""
    from jinja2 import Environment

    from webapp.i18n import template_gettext, template_ngettext

    def compare(source, **context):
        reference = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
        reference.install_gettext_callables(lambda s: s, lambda s, p, n: s if n == 1 else p, newstyle=True)
        ours = Environment(autoescape=True)
        ours.globals.update(_=template_gettext, gettext=template_gettext, ngettext=template_ngettext)
        for autoescape in (True, False):
            reference.autoescape = ours.autoescape = autoescape
            assert (ours.from_string(source).render(**context)
                    == reference.from_string(source).render(**context)), (source, autoescape)

    with app.test_request_context("/"):
        compare("{{ _('Umur') }} {{ gettext('Status') }}")
        compare("{{ _('%(name)s & <b>Desa</b>', name=who) }}", who="<script>&")
        compare("{{ _('Naik 5%% per tahun') }} {{ _('%(n)d%% dari %(m)d', n=5, m=9) }}")
        compare("{{ ngettext('%(num)d data ditemukan', '%(num)d data ditemukan', n) }}", n=3)
        compare("{{ ngettext('%(num)d of %(what)s', '%(num)d of %(what)s', 1, what=w) }}", w="<i>")
