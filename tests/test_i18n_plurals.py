"""Counts with words: Russian's three plural forms, Kyrgyz's invariable noun,
and the count written the locale's way.

Russian: 1, 21, 101 take the "one" form (1 дело), 2-4, 22-24 the "few" form
(2 дела), 0, 5-20, 25-30, 11-14, 111 the "many" form (5 дел, 11 дел). Kyrgyz
nouns do not change after a numeral (1 иш, 5 иш); CLDR still gives Kyrgyz
two categories (one, other), so its catalog has two equal forms.
"""
from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from flask_babel import force_locale

from coordination import PROJECT_ROOT
from coordination.i18n import ngettext
from tests.helpers import csrf_token, pid

CATALOGS = PROJECT_ROOT / "coordination" / "translations"
COUNTS = (1, 2, 5, 21)


def _catalog(lang: str):
    with open(CATALOGS / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle)


def _plural_entries(lang: str):
    return [m for m in _catalog(lang) if m.id and isinstance(m.id, tuple | list)]


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_catalog_plural_rule_is_cldrs(lang):
    """The header's rule is the one Babel derives from CLDR for the language."""
    catalog = _catalog(lang)
    expected = get_plural(lang)
    assert catalog.num_plurals == expected.num_plurals
    assert catalog.plural_expr == expected.plural_expr
    entries = _plural_entries(lang)
    assert len(entries) >= 25
    for message in entries:
        assert len(message.string) == expected.num_plurals, message.id
        assert all(message.string), message.id


def test_russian_forms_differ_unless_the_count_stands_alone():
    """A Russian entry whose three forms are equal is a copied English form,
    unless the number needs no agreement ("открытых: %(num)s")."""
    for message in _plural_entries("ru"):
        one, few, many = message.string
        if one == few == many:
            assert re.search(r":\s*%\(num\)s\)?$", one), (message.id, one)
        else:  # "1 дело" / "5 дел": the noun agrees
            assert one != many, message.id


def test_kyrgyz_nouns_do_not_change_after_a_numeral():
    for message in _plural_entries("ky"):
        assert len(set(message.string)) == 1, message.id


@pytest.mark.parametrize(("num", "expected"), [
    (1, "1 дело"), (2, "2 дела"), (5, "5 дел"), (11, "11 дел"), (21, "21 дело"),
    (22, "22 дела"), (25, "25 дел"), (111, "111 дел"), (1234, "1\u00a0234 дела"),
])
def test_russian_case_count(app, num, expected):
    with app.test_request_context(), force_locale("ru"):
        assert ngettext("%(num)s case", "%(num)s cases", num) == expected


@pytest.mark.parametrize(("lang", "num", "expected"), [
    ("ky", 1, "1 иш"), ("ky", 5, "5 иш"), ("ky", 12345, "12\u00a0345 иш"),
    ("en", 1, "1 case"), ("en", 21, "21 cases"), ("en", 12345, "12,345 cases"),
])
def test_kyrgyz_and_english_case_count(app, lang, num, expected):
    with app.test_request_context(), force_locale(lang):
        assert ngettext("%(num)s case", "%(num)s cases", num) == expected


# --- on real pages and in real messages --------------------------------------------------

HEADER = "agency_code,full_name,username,role,language\n"


def _csv(rows: int, taken: bool = False) -> bytes:
    """``rows`` good lines, or lines whose username is taken (one problem each)."""
    lines = [f"SOKULUK-POLICE,Тест Колдонуучу,{'police.sokuluk' if taken else f'plural.{i}'},"
             "member,ky\n" for i in range(rows)]
    return (HEADER + "".join(lines)).encode()


def _upload(client, data: bytes, lang: str) -> str:
    page = client.get(f"/admin/users/import?lang={lang}")
    return client.post("/admin/users/import", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(page.text), "file": (io.BytesIO(data), "staff.csv")}).text


RUSSIAN_IMPORT = {
    1: ("будет создан 1 пользователь", "Создать 1 учётную запись", "1 ошибка"),
    2: ("будут созданы 2 пользователя", "Создать 2 учётные записи", "2 ошибки"),
    5: ("будет создано 5 пользователей", "Создать 5 учётных записей", "5 ошибок"),
    21: ("будет создан 21 пользователь", "Создать 21 учётную запись", "21 ошибка"),
}


@pytest.mark.parametrize("num", COUNTS)
def test_user_import_page_in_russian(login_as, num):
    client = login_as("admin")
    to_create, button, problems = RUSSIAN_IMPORT[num]
    page = _upload(client, _csv(num), "ru")
    assert f"Файл верен: {to_create}" in page
    assert button in page
    assert f"{problems}: ничего не импортировано" in _upload(client, _csv(num, taken=True), "ru")


@pytest.mark.parametrize("num", COUNTS)
def test_user_import_page_in_kyrgyz(login_as, num):
    page = _upload(login_as("admin"), _csv(num), "ky")
    assert f"Файл туура: {num} колдонуучу түзүлөт" in page
    assert f"{num} эсептик жазуу түзүү" in page


def _expiring_order(user, now):
    """An order of the Sokuluk police that ends in 30 minutes."""
    from coordination.cases import services as cases
    from coordination.cases.models import PersonRole, Sex, ViolenceForm
    from coordination.extensions import db
    from coordination.protection import services as orders
    from coordination.protection.models import OrderKind
    from coordination.territories.services import territory_by_code

    police = user("police.sokuluk")
    case = cases.register_case(police, cases.CaseIntake(
        district_id=territory_by_code("41708222").id, lead_agency_id=police.agency_id,
        survivor=cases.PersonData(PersonRole.SURVIVOR, "Асанова", "Бермет", Sex.FEMALE, 1988),
        incident=cases.IncidentData(occurred_on=date(2026, 11, 18),
                                    forms=[ViolenceForm.PHYSICAL], place="shared_home",
                                    reported_by="survivor")), now=now)
    order = orders.record_order(police, case, orders.OrderData(
        kind=OrderKind.TEMPORARY, issued_at=now - timedelta(days=3) + timedelta(minutes=30),
        prohibitions={"prohibits_violence"}), now=now)
    db.session.commit()
    return order


RUSSIAN_HOURS = {1: "1 часа", 2: "2 часов", 5: "5 часов", 21: "21 часа"}


@pytest.mark.parametrize("hours", COUNTS)
def test_warning_window_in_russian_on_the_inbox_and_the_case(app, user, login_as,
                                                              monkeypatch, hours):
    """The configured warning window, in the right form, where it was "24 hours"."""
    from coordination.models_base import utcnow
    from coordination.notifications.models import NotificationKind

    order = _expiring_order(user, utcnow())
    monkeypatch.setitem(app.config, "ORDER_WARNING_HOURS", hours)
    client = login_as("police.sokuluk")
    inbox = client.get("/referrals?lang=ru").text
    assert (f"Охранные ордера, срок действия которых истекает в течение {RUSSIAN_HOURS[hours]}"
            in inbox)
    case_page = client.get(f"/cases/{pid(order.case_id, 'case')}?lang=ru").text
    assert f"Истекает в течение {RUSSIAN_HOURS[hours]}" in case_page
    with app.test_request_context(), force_locale("ru"):
        assert NotificationKind.ORDER_EXPIRING.label == (
            f"Срок охранного ордера истекает в течение {RUSSIAN_HOURS[hours]}")


@pytest.mark.parametrize(("maximum", "expected"), [
    (1, "от 1 до 1 месяца"), (2, "от 1 до 2 месяцев"), (5, "от 1 до 5 месяцев"),
    (11, "от 1 до 11 месяцев"),
])
def test_court_restriction_limit_in_russian(app, user, maximum, expected):
    from coordination.extensions import db
    from coordination.models_base import utcnow
    from coordination.protection import services as orders
    from coordination.protection.models import OrderKind
    from coordination.refusals import RuleBroken
    from coordination.settings.services import update_settings

    update_settings(user("admin"), {"court_order_max_months": maximum})
    db.session.flush()
    case = _expiring_order(user, utcnow()).case
    with app.test_request_context(), force_locale("ru"), pytest.raises(RuleBroken) as error:
        orders.record_order(user("police.sokuluk"), case, orders.OrderData(
            kind=OrderKind.COURT, issued_at=utcnow(), months=maximum + 1,
            prohibitions={"prohibits_violence"}), now=utcnow())
    assert expected in str(error.value)


@pytest.mark.parametrize(("k", "expected"), [
    (3, "менее чем по 3 ответам"), (21, "менее чем по 21 ответу"),
])
def test_report_note_in_russian(login_as, user, k, expected):
    from coordination.extensions import db
    from coordination.settings.services import update_settings

    update_settings(user("admin"), {"suppression_k": k, "suppression_k_sexual_violence": 21})
    db.session.commit()
    page = login_as("ministry.analyst").get("/reports?lang=ru&table=response").text
    assert f"Медиана, рассчитанная {expected}, не приводится." in page


def test_templates_group_the_count_and_escape_the_variables(app):
    from flask import render_template_string

    source = ('{{ ngettext("%(num)s case for %(who)s", "%(num)s cases for %(who)s", n, '
              'who=who) }}')
    with app.test_request_context(), force_locale("ru"):
        assert render_template_string(source, n=1234, who="<b>") == (
            "1\u00a0234 cases for &lt;b&gt;")
