"""Dates typed the country's way (issue 15, item 8): 05.03.2026 in every
interface language, the pattern shown in that language, ISO read too, a
slash refused; the forms and the report's months use text inputs, not the
browser's date pickers, whose format follows the browser's language."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from flask_babel import force_locale

from coordination.extensions import db
from coordination.local_dates import (
    format_day,
    format_moment,
    format_month,
    parse_day,
    parse_moment,
    parse_month,
)
from forms.followups import FollowUpForm
from tests.helpers import csrf_token, pid

#: The pattern shown beside a date field, by interface language.
PATTERNS = {"ky": "кк.аа.жжжж", "ru": "дд.мм.гггг", "en": "dd.mm.yyyy"}
MONTH_PATTERNS = {"ky": "аа.жжжж", "ru": "мм.гггг", "en": "mm.yyyy"}


@pytest.mark.parametrize(("text", "expected"), [
    ("05.03.2026", date(2026, 3, 5)), ("5.3.2026", date(2026, 3, 5)),
    (" 31.12.2026 ", date(2026, 12, 31)), ("2026-03-05", date(2026, 3, 5)),
    ("29.02.2024", date(2024, 2, 29)),
])
def test_a_day_is_read_day_first_or_iso(text, expected):
    assert parse_day(text) == expected


@pytest.mark.parametrize("text", [
    "03/05/2026", "5-3-2026", "31.02.2026", "29.02.2026", "05.13.2026", "05.03.26",
    "2026-3-5", "05.03.2026 10:00", "", "завтра", "05..2026",
])
def test_a_day_that_is_ambiguous_or_not_real_is_refused(text):
    assert parse_day(text) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("05.03.2026 14:30", datetime(2026, 3, 5, 14, 30)),
    ("05.03.2026, 9:05", datetime(2026, 3, 5, 9, 5)),
    ("2026-03-05T14:30", datetime(2026, 3, 5, 14, 30)),
    ("2026-03-05 14:30", datetime(2026, 3, 5, 14, 30)),
])
def test_a_moment_is_read_day_first_or_iso(text, expected):
    assert parse_moment(text) == expected


@pytest.mark.parametrize("text", ["05.03.2026", "05.03.2026 24:00", "05.03.2026 10:60",
                                  "03/05/2026 10:00", "05.03.2026 10"])
def test_a_moment_without_a_real_time_is_refused(text):
    assert parse_moment(text) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("03.2026", date(2026, 3, 1)), ("3.2026", date(2026, 3, 1)), ("2026-03", date(2026, 3, 1))])
def test_a_month_is_read_month_first_or_iso(text, expected):
    assert parse_month(text) == expected


@pytest.mark.parametrize("text", ["13.2026", "2026-13", "03/2026", "март 2026", "2026"])
def test_a_month_that_does_not_exist_is_refused(text):
    assert parse_month(text) is None


def test_dates_are_written_as_they_are_typed():
    assert format_day(date(2026, 3, 5)) == "05.03.2026"
    assert format_moment(datetime(2026, 3, 5, 9, 5)) == "05.03.2026 09:05"
    assert format_month(date(2026, 3, 1)) == "03.2026"
    assert format_day(None) == format_moment(None) == format_month(None) == ""


@pytest.mark.parametrize("lang", ["ky", "ru", "en"])
def test_a_date_field_is_a_text_input_with_the_pattern_in_the_language(app, lang):
    with app.test_request_context(), force_locale(lang):
        form = FollowUpForm(formdata=None, meta={"csrf": False})
        form.due_on.data = date(2026, 3, 5)
        html = str(form.due_on())
    assert 'type="text"' in html and 'type="date"' not in html
    assert 'value="05.03.2026"' in html
    assert f'placeholder="{PATTERNS[lang]}"' in html


@pytest.mark.parametrize("lang", ["ky", "ru", "en"])
def test_the_case_page_shows_the_pattern_beside_the_due_date(login_as, new_case, lang):
    case = new_case()
    page = login_as("coordinator.sokuluk").get(
        f"/cases/{pid(case)}?lang={lang}&form=add-follow-up").text
    field = re.search(r'<input[^>]*name="due_on"[^>]*>', page).group(0)
    assert 'type="text"' in field
    described = re.search(r'aria-describedby="([^"]+)"', field).group(1)
    hint = re.search(rf'<p class="hint" id="{described}">([^<]*)</p>', page).group(1)
    assert PATTERNS[lang] in hint


@pytest.mark.parametrize("typed", ["local", "iso"])
def test_a_due_date_typed_the_local_way_or_in_iso_is_saved(login_as, new_case, agency, typed):
    case = new_case()
    client = login_as("coordinator.sokuluk")
    page = client.get(f"/cases/{pid(case)}?lang=ru")
    due = date.today() + timedelta(days=9)
    text = format_day(due) if typed == "local" else due.isoformat()
    response = client.post(f"/cases/{pid(case)}/followups", data={
        "csrf_token": csrf_token(page.text), "action": "Визит",
        "owner_agency": agency("SOKULUK-LSG").id, "owner_user": "", "due_on": text,
        "legal_ground": "danger_to_life"},
        follow_redirects=True)
    assert response.status_code == 200
    db.session.refresh(case)
    assert [f.due_on for f in case.follow_ups] == [due]


def test_a_date_with_a_slash_is_refused_in_the_language_and_nothing_saved(
        login_as, new_case, agency):
    case = new_case()
    client = login_as("coordinator.sokuluk")
    page = client.get(f"/cases/{pid(case)}?lang=ru")
    response = client.post(f"/cases/{pid(case)}/followups", data={
        "csrf_token": csrf_token(page.text), "action": "Визит",
        "owner_agency": agency("SOKULUK-LSG").id, "owner_user": "",
        "due_on": "12/31/2026"}, follow_redirects=True)
    assert response.status_code == 200
    assert "Введите корректную дату." in response.text
    db.session.refresh(case)
    assert case.follow_ups == []


@pytest.mark.parametrize("lang", ["ky", "ru", "en"])
def test_the_report_reads_months_typed_the_local_way(login_as, lang):
    client = login_as("ministry.analyst")
    local = client.get("/reports", query_string={"from": "01.2026", "to": "03.2026",
                                                 "lang": lang})
    assert local.status_code == 200
    page = local.text
    for name in ("from", "to"):
        field = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
        assert 'type="text"' in field and 'type="month"' not in field
        assert f'placeholder="{MONTH_PATTERNS[lang]}"' in field
    assert 'value="01.2026"' in page and 'value="03.2026"' in page
    iso = client.get("/reports", query_string={"from": "2026-01", "to": "2026-03",
                                               "lang": lang})
    assert 'value="01.2026"' in iso.text and 'value="03.2026"' in iso.text
