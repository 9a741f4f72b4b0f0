"""Bahasa Indonesia first; English for those who ask for it."""

from flask import current_app, session
from flask_babel import Babel

babel = Babel()


def select_locale():
    langs = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in langs:
        return chosen
    # Bahasa Indonesia unless the person chose otherwise: a browser set to
    # English on a kiosk should not switch the office's language.
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app):
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories="../translations")
