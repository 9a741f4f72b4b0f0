"""Bahasa Indonesia first; English for those who ask for it."""

from flask import current_app, request, session
from flask_babel import Babel

babel = Babel()


def select_locale():
    langs = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in langs:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"] if not request else (
        request.accept_languages.best_match(langs) or current_app.config["BABEL_DEFAULT_LOCALE"])


def init_app(app):
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories="../translations")
