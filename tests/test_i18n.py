"""Languages: the switch, its order of precedence, and complete catalogs."""
from __future__ import annotations

import pytest
from babel.messages.pofile import read_po

from coordination import PROJECT_ROOT

CATALOGS = PROJECT_ROOT / "coordination" / "translations"


def test_default_language_is_kyrgyz(client):
    page = client.get("/login", headers={"Accept-Language": ""})
    assert '<html lang="ky">' in page.text
    assert "<h1>Кирүү</h1>" in page.text


@pytest.mark.parametrize(("lang", "word"), [("ru", "Войти"), ("en", "Sign in")])
def test_lang_parameter_switches_and_sticks(client, lang, word):
    assert word in client.get(f"/login?lang={lang}").text
    assert word in client.get("/login").text  # kept in the session


def test_browser_language_is_used_when_nothing_was_chosen(client):
    page = client.get("/login", headers={"Accept-Language": "ru-RU,ru;q=0.9"})
    assert '<html lang="ru">' in page.text


def test_unknown_language_is_ignored(client):
    page = client.get("/login?lang=de", headers={"Accept-Language": "de"})
    assert page.status_code == 200
    assert '<html lang="ky">' in page.text


def test_choice_is_saved_in_the_profile_and_wins_later(login_as, client, user):
    login_as("social.karasuu")
    client.get("/cases?lang=ru")
    assert user("social.karasuu").language == "ru"
    fresh = client.application.test_client()
    # A new browser: profile beats the browser's own preference.
    from tests.helpers import login

    login(fresh, "social.karasuu")
    page = fresh.get("/cases", headers={"Accept-Language": "en"})
    assert '<html lang="ru">' in page.text


def test_case_list_in_russian_has_russian_labels(login_as):
    client = login_as("coordinator.sokuluk")
    page = client.get("/cases?lang=ru").text
    assert "Дела" in page
    assert "Cases</h1>" not in page


def _catalog(lang: str):
    with open(CATALOGS / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle)


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_catalog_is_complete_and_matches_the_template(lang):
    template = _catalog_template()
    catalog = _catalog(lang)
    template_ids = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    catalog_ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    assert catalog_ids == template_ids, "run `make extract-messages` and translate"
    untranslated = [m.id for m in catalog if m.id and not all(_strings(m))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def test_template_is_up_to_date_with_the_code(tmp_path):
    """The committed messages.pot equals a fresh extraction."""
    from babel.messages.frontend import CommandLineInterface

    fresh = tmp_path / "messages.pot"
    CommandLineInterface().run([
        "pybabel", "-q", "extract", "-F", str(PROJECT_ROOT / "babel.cfg"), "-k", "_l",
        "-k", "lazy_gettext", "-k", "lazy_ngettext:1,2", "--no-location", "--sort-by-file",
        "-o", str(fresh), str(PROJECT_ROOT),
    ])
    with open(fresh, "rb") as handle:
        extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    committed = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog_template() if m.id}
    assert extracted == committed, "run `make extract-messages` and translate"


def _catalog_template():
    with open(CATALOGS / "messages.pot", "rb") as handle:
        return read_po(handle)


def _strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple | list) else [
        message.string]


def test_translated_labels_in_the_form(login_as):
    client = login_as("coordinator.sokuluk")
    page = client.get("/cases/new?lang=ky").text
    assert "<legend>Жабыр тарткан адам</legend>" in page


def test_compiled_catalogs_exist():
    for lang in ("ky", "ru"):
        assert (CATALOGS / lang / "LC_MESSAGES" / "messages.mo").exists(), (
            "run `make translations` (make run / make test do it)")


def test_order_profile_then_session_then_browser_then_default(login_as, client, user):
    """Profile beats session beats Accept-Language beats the default."""
    assert '<html lang="ky">' in client.get("/login", headers={"Accept-Language": ""}).text
    assert '<html lang="en">' in client.get("/login", headers={"Accept-Language": "en"}).text
    client.get("/login?lang=ru")  # session
    assert '<html lang="ru">' in client.get("/login", headers={"Accept-Language": "en"}).text
    login_as("social.karasuu")
    user("social.karasuu").language = "ky"  # the profile, set elsewhere
    from coordination.extensions import db

    db.session.commit()
    assert '<html lang="ky">' in client.get("/cases", headers={"Accept-Language": "en"}).text


@pytest.mark.parametrize("variable", ["DEFAULT_LANGUAGE", "BABEL_DEFAULT_LOCALE"])
def test_deployment_default_from_the_environment(monkeypatch, app, variable):
    from coordination import create_app
    from tests.conftest import _config_dict

    monkeypatch.setenv(variable, "ru")
    config = {k: v for k, v in _config_dict().items() if k != "BABEL_DEFAULT_LOCALE"}
    other = create_app({**config, "SQLALCHEMY_DATABASE_URI": app.config[
        "SQLALCHEMY_DATABASE_URI"]})
    assert other.config["BABEL_DEFAULT_LOCALE"] == "ru"
    page = other.test_client().get("/login", headers={"Accept-Language": ""})
    assert '<html lang="ru">' in page.text


def test_unknown_default_language_is_refused(monkeypatch, app):
    from coordination import create_app
    from tests.conftest import _config_dict

    monkeypatch.setenv("DEFAULT_LANGUAGE", "de")
    config = {k: v for k, v in _config_dict().items() if k != "BABEL_DEFAULT_LOCALE"}
    with pytest.raises(RuntimeError, match="DEFAULT_LANGUAGE"):
        create_app({**config, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})


def test_names_sort_in_the_kyrgyz_alphabet():
    from coordination.i18n import sorted_names

    names = ["Үсөн", "Уулу", "Өмүр", "Омор", "Ңа", "Нур", "Яна", "айгүл", "Бакыт"]
    assert sorted_names(names) == [
        "айгүл", "Бакыт", "Нур", "Ңа", "Омор", "Өмүр", "Уулу", "Үсөн", "Яна"]
    assert sorted(names)[-1] != "Яна"  # what code-point order would do


def test_the_language_chosen_on_the_login_page_is_kept_at_sign_in(client, user):
    """The sign-in POST saves the login page's ``?lang=`` to the profile, so the
    profile's older language does not override it on the next page (issue 15)."""
    from coordination.extensions import db
    from tests.helpers import login

    user("social.karasuu").language = "ky"
    db.session.commit()
    client.get("/login?lang=en")
    assert login(client, "social.karasuu").status_code == 302
    assert '<html lang="en">' in client.get("/cases").text
    db.session.expire_all()
    assert user("social.karasuu").language == "en"
