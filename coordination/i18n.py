"""Interface language: Kyrgyz, Russian, English through Flask-Babel.

The language is, in order: the user's profile, the session, the browser's
Accept-Language, then the deployment's default (Kyrgyz; ``DEFAULT_LANGUAGE``
or ``BABEL_DEFAULT_LOCALE`` in the environment overrides it). ``?lang=`` on
any page writes the choice into the session and the profile, so it wins from
that request on. Outside a request (operator commands) the language is the
operator's, from the environment as gettext reads it (``LANGUAGE``, ``LC_ALL``,
``LC_MESSAGES``, ``LANG``), English when none of them names ky, ru or en.
"""
from __future__ import annotations

import os

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import format_date, format_number, get_locale, get_translations
from flask_babel.speaklater import LazyString
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup

from coordination import PROJECT_ROOT
from coordination.extensions import babel

#: Each language's name in itself, for the language switch.
LANGUAGE_NAMES = {"ky": "Кыргызча", "ru": "Русский", "en": "English"}


def select_locale() -> str:
    """The locale for this request (see the module docstring for the order)."""
    if not has_request_context():
        return operator_language(current_app.config["LANGUAGES"])
    languages = current_app.config["LANGUAGES"]
    if request.args.get("lang") in languages:
        # This request's own choice: it holds even on a refused page, whose
        # rollback undoes the profile's new language before the page renders.
        return request.args["lang"]
    if current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    if session.get("lang") in languages:
        return session["lang"]
    best = request.accept_languages.best_match(languages)
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]


def operator_language(languages) -> str:
    """The language of an operator command, from the shell's locale variables.

    Read like gettext reads them, so ``LANG=ru_RU.UTF-8 flask ...`` answers in
    Russian; the C/POSIX locale, or an unsupported one, gives English.
    """
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if not value:
            continue
        for candidate in value.split(":"):  # LANGUAGE is a priority list
            code = candidate.split("_")[0].split(".")[0].lower()
            if code in languages:
                return code
        return "en"
    return "en"


def _remember_requested_language() -> None:
    """``?lang=xx`` on any page switches the language and keeps the choice."""
    lang = request.args.get("lang")
    if lang not in current_app.config["LANGUAGES"]:
        return
    session["lang"] = lang
    if current_user.is_authenticated and current_user.language != lang:
        current_user.language = lang
        from coordination.pipeline import allow_write  # the pipeline imports the models

        allow_write("the language picked with ?lang= is kept on the profile")


def current_language() -> str:
    """The two-letter code of the language this request is rendered in."""
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """The plural form of a message for ``num`` in the current language.

    Like Flask-Babel's ngettext, but ``%(num)s`` is the count written the
    locale's way ("1 234" in Kyrgyz and Russian, "1,234" in English), so
    messages put ``%(num)s``, never ``%(num)d``. Russian has three forms
    (1 дело, 2 дела, 5 дел; 21 дело, 11 дел), Kyrgyz and English two.
    """
    variables.setdefault("num", format_number(num))
    return get_translations().ungettext(singular, plural, num) % variables


def lazy_ngettext(singular: str, plural: str, num: int, **variables) -> LazyString:
    """:func:`ngettext`, translated when the text is used (module-level texts,
    messages kept in exceptions)."""
    return LazyString(ngettext, singular, plural, num, **variables)


def lazy_number(value: int | float) -> LazyString:
    """``value`` written the locale's way, when the text it is put in is used."""
    return LazyString(format_number, value)


@pass_eval_context
def _template_ngettext(eval_context, singular: str, plural: str, num: int, **variables):
    """``ngettext`` in templates: :func:`ngettext`, escaping the variables as
    Jinja's own does when autoescaping is on."""
    variables.setdefault("num", format_number(num))
    text = get_translations().ungettext(singular, plural, num)
    if eval_context.autoescape:
        # The text is our catalog's, not the user's; Markup's % escapes the variables.
        text = Markup(text)  # nosec B704
    return text % variables


def month_label(day) -> str:
    """The month of ``day`` with its year, as a heading: "март 2026" (ru),
    "Март 2026" (ky), "March 2026" (en).

    CLDR's stand-alone month name (``LLLL``, the nominative), not the format
    one (``MMMM``), which Russian declines ("5 марта").
    """
    return format_date(day, "LLLL yyyy")


#: The alphabets' order: Kyrgyz adds ң, ө, ү after н, о, у; Russian letters
#: not in Kyrgyz (ё, ъ ...) keep their place; Latin letters come after.
_ALPHABET = "абвгдеёжзийклмнңоөпрстуүфхцчшщъыьэюя" + "abcdefghijklmnopqrstuvwxyz"
_RANK = {letter: rank for rank, letter in enumerate(_ALPHABET)}


def name_sort_key(name: str) -> tuple:
    """Sort key for names in the Kyrgyz / Russian alphabet order, ignoring case.

    Python's default order (code points) and SQLite's binary collation put
    ң, ө, ү after я; this key puts them after н, о, у. The Russian order is
    the same key (Russian has none of the three). Characters outside both
    alphabets (digits, punctuation) sort before letters, by code point.
    """
    folded = name.casefold()
    return tuple((1, _RANK[c]) if c in _RANK else (0, ord(c)) for c in folded), name


def sorted_names(names):
    """``names`` sorted by :func:`name_sort_key`."""
    return sorted(names, key=name_sort_key)


def init_app(app: Flask) -> None:
    if app.config["BABEL_DEFAULT_LOCALE"] not in app.config["LANGUAGES"]:
        raise RuntimeError(f"DEFAULT_LANGUAGE={app.config['BABEL_DEFAULT_LOCALE']!r} is not "
                           f"one of {', '.join(app.config['LANGUAGES'])}")
    app.config.setdefault(
        "BABEL_TRANSLATION_DIRECTORIES", str(PROJECT_ROOT / "coordination" / "translations")
    )
    babel.init_app(app, locale_selector=select_locale)
    babel.install_template_callables(app)
    app.before_request(_remember_requested_language)
    app.jinja_env.globals.update(
        LANGUAGE_NAMES=LANGUAGE_NAMES, current_language=current_language,
        # Replaces the one Flask-Babel installs: counts in the locale's digits.
        ngettext=_template_ngettext,
    )
