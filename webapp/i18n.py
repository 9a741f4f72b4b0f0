"""Bahasa Indonesia first; English for those who ask for it.

Translations live in translations/<lang>/LC_MESSAGES/messages.po (committed)
and are read from the compiled messages.mo next to it (not committed).
`make setup` and `make test` compile them with `pybabel compile`; so that a
plain `flask run` or `pytest` on a fresh clone works too, init_app()
compiles any catalogue whose .po is newer than its .mo (see
compile_translations). Workflow for new strings:

    pybabel extract -F babel.cfg -k lazy_gettext -k _l -o translations/messages.pot .
    pybabel update -i translations/messages.pot -d translations
"""

import glob
import logging
import os

from flask import current_app, g, has_request_context, session
from flask_babel import Babel, get_translations
from jinja2 import pass_eval_context
from markupsafe import Markup

log = logging.getLogger(__name__)

babel = Babel()
TRANSLATIONS = "../translations"


def N_(message):
    """Marks a msgid for extraction (N_ is one of pybabel's default keywords)
    without translating it: for text stored or compared in Indonesian, which
    pages translate when they show it (`_(value)`)."""
    return message


def select_locale():
    langs = current_app.config["LANGUAGES"]
    # Outside a request (CLI, queue) there is no session: Bahasa Indonesia.
    chosen = session.get("lang") if has_request_context() else None
    if chosen in langs:
        return chosen
    # Bahasa Indonesia unless the person chose otherwise: a browser set to
    # English on a kiosk should not switch the office's language.
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def compile_translations(directory):
    """Compiles every <directory>/<lang>/LC_MESSAGES/*.po whose .mo is missing
    or older than the .po (what `pybabel compile -d` does, minus fuzzy
    entries). The .mo is written to a temporary file and renamed into place,
    so workers starting together never read half a file. A read-only
    checkout only logs a warning: the pages then stay in Bahasa Indonesia.
    Returns the paths of the .mo files written."""
    # babel's catalogue tools, needed only when a .po is newer than its .mo
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(glob.glob(os.path.join(directory, "*", "LC_MESSAGES", "*.po"))):
        mo = po[:-3] + ".mo"
        if os.path.exists(mo) and os.path.getmtime(mo) >= os.path.getmtime(po):
            continue
        locale = os.path.basename(os.path.dirname(os.path.dirname(po)))
        tmp = f"{mo}.{os.getpid()}.tmp"
        try:
            with open(po, "rb") as f:
                catalog = read_po(f, locale=locale)
            with open(tmp, "wb") as f:
                write_mo(f, catalog)
            os.replace(tmp, mo)
        except OSError as exc:
            log.warning("could not compile %s: %s", po, exc)
            if os.path.exists(tmp):
                os.remove(tmp)
            continue
        written.append(mo)
    return written


def catalogue():
    """The translations of the language in force, found once per request.

    Flask-Babel finds them afresh for every string (the domain, the locale and
    its cache key through `g` each time: ~6 µs a string, ~40 strings in one
    lookup answer). They are kept in Flask-Babel's own per-request namespace
    under the name it clears itself: `refresh()` deletes it, `force_locale()`
    sets it aside and puts it back, and each request starts without it
    (_choose_locale_per_request)."""
    if not g:  # no app context: Flask-Babel's null catalogue
        return get_translations()
    found = getattr(getattr(g, "_flask_babel", None), "babel_translations", None)
    if found is None:
        found = get_translations()  # makes g._flask_babel if it was not there
        g._flask_babel.babel_translations = found
    return found


def gettext(string, **variables):
    """Flask-Babel's gettext (the same catalogue, the same `%` formatting),
    through catalogue(): the one `_` of the Python code."""
    found = catalogue().ugettext(string)
    return found % variables if variables else found


@pass_eval_context
def template_gettext(eval_ctx, string, **variables):
    """`_()` and gettext() of the templates, as Jinja's newstyle gettext:
    the translation is trusted (Markup where the template autoescapes), its
    %(name)s filled with the variables escaped, `%%` a percent sign."""
    found = catalogue().ugettext(string)
    if eval_ctx.autoescape:
        found = Markup(found)  # noqa: S704 - our own catalogue, as Jinja's newstyle gettext trusts it
    return found % variables if variables or "%" in found else found


@pass_eval_context
def template_ngettext(eval_ctx, singular, plural, num, **variables):
    """ngettext() of the templates, as Jinja's newstyle one (`num` filled in too)."""
    found = catalogue().ungettext(singular, plural, num)
    if eval_ctx.autoescape:
        found = Markup(found)  # noqa: S704 - our own catalogue, as Jinja's newstyle gettext trusts it
    variables.setdefault("num", num)
    return found % variables


def init_app(app):
    compile_translations(os.path.join(app.root_path, TRANSLATIONS))
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=TRANSLATIONS)
    # Templates look their strings up through catalogue() (the same catalogue
    # Flask-Babel's gettext reads, found once per request).
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: catalogue().ugettext(s),
        ngettext=lambda s, p, n: catalogue().ungettext(s, p, n),
        pgettext=lambda c, s: catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: catalogue().unpgettext(c, s, p, n),
        newstyle=True)
    # The same newstyle behaviour in one call instead of Jinja's three
    # (the `_` alias resolving `gettext`, its wrapper, our lookup): ~11 µs a
    # string in a template before, a lookup answer has about twenty.
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext, ngettext=template_ngettext)

    @app.before_request
    def _choose_locale_per_request():
        # Flask-Babel caches the locale in `g`, which outlives a request when
        # an app context is kept open (tests, CLI): choose it anew each time.
        g.pop("_flask_babel", None)
