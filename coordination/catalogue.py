"""Flask-Babel, finding the request's message catalogue once per language.

Flask-Babel reaches the catalogue through the request context three times,
and names the locale, for every string it translates: about 15 µs a string
on the project's machine, and a case list translates some 280 strings, a case
page over a thousand (a third of the list's time, measured 2026-12-07,
docs/PERFORMANCE.md). Here the catalogue is kept beside the locale object
Flask-Babel chose for the request and found again only when that object
changes (``force_locale``, ``refresh``), so a text written in the
recipient's language (deliveries, the demo's texts) is still written in it.
"""
from __future__ import annotations

from functools import cached_property

import flask_babel
from flask import g


class RequestCatalogueDomain(flask_babel.Domain):
    """The message domain; :meth:`get_translations` answers from the request."""

    def get_translations(self):
        try:
            state = vars(g._flask_babel)
        except (AttributeError, RuntimeError):  # nothing translated yet, or no context
            return super().get_translations()
        kept = state.get("request_catalogue")
        if kept is not None and kept[0] is state.get("babel_locale") is not None:
            return kept[1]
        translations = super().get_translations()  # sets the request's locale
        state["request_catalogue"] = (state.get("babel_locale"), translations)
        return translations


class Babel(flask_babel.Babel):
    """Flask-Babel with :class:`RequestCatalogueDomain` as its domain."""

    @cached_property
    def domain_instance(self):
        return RequestCatalogueDomain(domain=self.domain)

    def install_template_callables(self, app) -> None:
        """Jinja's ``_``/``gettext`` and friends straight from the domain,
        without Flask-Babel's lookup of the domain per string."""
        def catalogue():  # the domain is made on first use, inside a context
            return self.domain_instance.get_translations()

        app.jinja_env.install_gettext_callables(
            gettext=lambda s: catalogue().ugettext(s),
            ngettext=lambda s, p, n: catalogue().ungettext(s, p, n),
            pgettext=lambda c, s: catalogue().upgettext(c, s),
            npgettext=lambda c, s, p, n: catalogue().unpgettext(c, s, p, n),
            newstyle=True,
        )
