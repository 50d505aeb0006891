"""Interface language: Kyrgyz, Russian, English through Flask-Babel.

The language is, in order: ``?lang=`` (which also sticks), the user's profile,
the session, the browser's Accept-Language, then the deployment's default.
Outside a request (operator commands) messages are in English.
"""
from __future__ import annotations

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

from coordination import PROJECT_ROOT
from coordination.extensions import babel, db

#: Each language's name in itself, for the language switch.
LANGUAGE_NAMES = {"ky": "Кыргызча", "ru": "Русский", "en": "English"}


def select_locale() -> str:
    """The locale for this request (see the module docstring for the order)."""
    if not has_request_context():
        return "en"
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and services run in tests
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    if session.get("lang") in languages:
        return session["lang"]
    best = request.accept_languages.best_match(languages)
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]


def _remember_requested_language() -> None:
    """``?lang=xx`` on any page switches the language and keeps the choice."""
    lang = request.args.get("lang")
    if lang not in current_app.config["LANGUAGES"]:
        return
    session["lang"] = lang
    if current_user.is_authenticated and current_user.language != lang:
        current_user.language = lang
        db.session.commit()


def current_language() -> str:
    """The two-letter code of the language this request is rendered in."""
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def init_app(app: Flask) -> None:
    app.config.setdefault(
        "BABEL_TRANSLATION_DIRECTORIES", str(PROJECT_ROOT / "coordination" / "translations")
    )
    babel.init_app(app, locale_selector=select_locale)
    app.before_request(_remember_requested_language)
    app.jinja_env.globals.update(
        LANGUAGE_NAMES=LANGUAGE_NAMES, current_language=current_language
    )
