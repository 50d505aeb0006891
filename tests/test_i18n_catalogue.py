"""The request's message catalogue is found once per language, not per string
(coordination/catalogue.py), and a text forced into another language inside
the request is still written in it."""
from __future__ import annotations

import flask_babel
from flask_babel import force_locale, gettext, refresh

from coordination.public_ids import decode, encode


def _count_lookups(monkeypatch) -> list:
    """Flask-Babel's own catalogue lookups, recorded."""
    lookups = []
    original = flask_babel.Domain.get_translations

    def counted(self):
        lookups.append(1)
        return original(self)

    monkeypatch.setattr(flask_babel.Domain, "get_translations", counted)
    return lookups


def test_a_page_finds_its_catalogue_once(login_as, monkeypatch):
    client = login_as("coordinator.sokuluk")
    lookups = _count_lookups(monkeypatch)
    page = client.get("/cases?lang=ru")
    assert page.status_code == 200
    assert "Дела" in page.text  # hundreds of strings were translated ...
    assert len(lookups) == 1  # ... from one lookup


def test_a_forced_language_is_written_in_and_left(app):
    # A fresh context: the suite's own forced English stays outside.
    with app.app_context(), app.test_request_context("/?lang=ru"):
        assert gettext("Referrals") == "Направления"
        with force_locale("ky"):
            assert gettext("Referrals") == "Жолдомолор"
            assert app.jinja_env.from_string("{{ _('Referrals') }}").render() == "Жолдомолор"
        assert gettext("Referrals") == "Направления"
        assert app.jinja_env.from_string("{{ _('Referrals') }}").render() == "Направления"


def test_a_refreshed_locale_is_looked_up_again(app, monkeypatch):
    with app.app_context(), app.test_request_context("/?lang=ru"):
        assert gettext("Referrals") == "Направления"
        lookups = _count_lookups(monkeypatch)
        gettext("Referrals")
        assert lookups == []
        refresh()
        assert gettext("Referrals") == "Направления"
        assert lookups == [1]


def test_tokens_are_the_same_from_the_cache(app):
    with app.app_context():
        first = [encode("case", n) for n in range(50)]
        assert [encode("case", n) for n in range(50)] == first
        assert [decode("case", token) for token in first] == list(range(50))
        assert encode("referral", 7) != encode("case", 7)
