"""Dates, months and numbers in the chosen language's format (CLDR through
Babel), on pages and in the report's downloads; machine-readable values
(CSV, XLSX cells) stay plain. The decisions are in docs/i18n.md."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from coordination import PROJECT_ROOT
from coordination.agencies.models import Agency
from coordination.extensions import db
from coordination.i18n import month_label
from coordination.meetings.models import Meeting
from tests.helpers import pid

#: Three months of the demo data.
PERIOD = {"from": "2026-01", "to": "2026-03"}
MONTHS = {
    "ru": ["январь 2026", "февраль 2026", "март 2026"],
    "ky": ["Январь 2026", "Февраль 2026", "Март 2026"],
    "en": ["January 2026", "February 2026", "March 2026"],
}
#: What a month key looks like where it must not show.
MONTH_KEY = re.compile(r"\b20\d\d-(0[1-9]|1[0-2])\b")


class _Text(HTMLParser):
    """The visible text of a page (no attributes: form values are keys)."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def _visible(html: str) -> str:
    parser = _Text()
    parser.feed(html.split("<main", 1)[1])
    return " ".join(" ".join(parser.parts).split())


@pytest.mark.parametrize(("lang", "expected"), [
    ("ru", "март 2026"), ("ky", "Март 2026"), ("en", "March 2026")])
def test_month_headings_use_the_nominative(app, lang, expected):
    """CLDR's stand-alone name: Russian "март", not the declined "марта"."""
    with app.test_request_context(), force_locale(lang):
        assert month_label(date(2026, 3, 5)) == expected


@pytest.mark.parametrize("lang", ["ru", "ky", "en"])
def test_report_page_names_the_months(login_as, lang):
    page = login_as("ministry.analyst").get(
        "/reports", query_string={**PERIOD, "lang": lang}).text
    text = _visible(page)
    months = MONTHS[lang]
    for month in months:
        assert f"<th scope=\"row\">{month}</th>" in page  # the months table
    assert f"{months[0]} – {months[-1]}" in text  # the period on the cover
    assert f">{months[1]}</text>" in page  # the chart's axis
    assert not MONTH_KEY.search(text), MONTH_KEY.search(text)


def _catalog(lang: str) -> dict[str, str]:
    from babel.messages.pofile import read_po

    path = PROJECT_ROOT / "coordination" / "translations" / lang / "LC_MESSAGES" / "messages.po"
    with open(path, "rb") as handle:
        return {m.id: m.string for m in read_po(handle) if isinstance(m.id, str)}


@pytest.mark.parametrize("lang", ["ru", "ky"])
def test_report_pdf_and_xlsx_name_the_months_in_the_language(login_as, lang):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    client = login_as("ministry.analyst")
    query = {**PERIOD, "lang": lang}
    pdf = PdfReader(io.BytesIO(client.get("/reports/aggregate.pdf", query_string=query).data))
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    for month in MONTHS[lang]:
        assert month in text
    assert not MONTH_KEY.search(text)
    workbook = load_workbook(io.BytesIO(
        client.get("/reports/aggregate.xlsx", query_string=query).data))
    cover = [c.value for row in workbook.worksheets[0].iter_rows() for c in row if c.value]
    assert f"{MONTHS[lang][0]} – {MONTHS[lang][-1]}" in cover
    title = _catalog(lang)["Registered cases and their survivors by month"]
    months = next(sheet for sheet in workbook.worksheets if sheet["A1"].value == title)
    assert [months.cell(row=r, column=1).value for r in (4, 5, 6)] == [
        datetime(2026, 1, 1), datetime(2026, 2, 1), datetime(2026, 3, 1)]
    tag = {"ru": "[$-419]", "ky": "[$-440]"}[lang]
    assert months["A4"].number_format == f"{tag}mmmm yyyy"
    assert months["B5"].data_type == "n" and months["B5"].number_format == "#,##0"


def test_report_csv_keeps_iso_months_and_plain_numbers(login_as):
    client = login_as("ministry.analyst")
    data = client.get("/reports/aggregate.csv", query_string={**PERIOD, "lang": "ru"}).data
    records = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert ["Период", "2026-01/2026-03"] in records
    produced = next(value for label, value, *_rest in (r for r in records if len(r) > 1)
                    if label == _catalog("ru")["Data as of"])
    assert re.fullmatch(r"20\d\d-\d\d-\d\dT\d\d:\d\d\+06:00", produced)
    rows = [r[0] for r in records if r and MONTH_KEY.fullmatch(r[0])]
    assert rows == ["2026-01", "2026-02", "2026-03"]
    assert not any("март" in field for record in records for field in record)
    tables = records[records.index([]):]  # after the cover
    numbers = [field for record in tables for field in record[1:] if field and field[0].isdigit()]
    assert numbers and all(re.fullmatch(r"\d+(\.\d+)?", n) for n in numbers), numbers


@pytest.mark.parametrize(("lang", "expected"), [
    ("ru", "Не больше 5\u00a0000 строк за раз."), ("ky", "Бир жолу эң көп 5\u00a0000 сап."),
    ("en", "At most 5,000 lines at a time.")])
def test_numbers_in_pages_are_grouped_the_languages_way(login_as, app, monkeypatch, lang,
                                                        expected):
    monkeypatch.setitem(app.config, "IMPORT_MAX_LINES", 5000)
    page = login_as("admin").get(f"/admin/users/import?lang={lang}").text
    assert expected in page.replace("&#34;", '"')


def _sokuluk_meeting_at(moment: datetime) -> Meeting:
    """The first Sokuluk committee meeting, moved to ``moment`` (UTC)."""
    meeting = db.session.scalars(sa.select(Meeting).join(Meeting.committee).where(
        Agency.code == "SOKULUK-COMMITTEE").order_by(Meeting.id)).first()
    meeting.scheduled_for = moment
    db.session.commit()
    return meeting


@pytest.mark.parametrize(("lang", "expected"), [
    # CLDR's short date and time; 08:30 UTC is 14:30 in Bishkek.
    ("ru", "05.03.2026, 14:30"), ("ky", "05.03.26 14:30"), ("en", "3/5/26, 2:30\u202fPM")])
def test_meeting_page_dates_follow_the_language(login_as, lang, expected):
    meeting = _sokuluk_meeting_at(datetime(2026, 3, 5, 8, 30))
    page = login_as("coordinator.sokuluk").get(f"/meetings/{pid(meeting)}?lang={lang}").text
    assert expected in re.search(r"<h1>([^<]+)</h1>", page).group(1)


@pytest.mark.parametrize(("lang", "expected"), [
    # A running date: Russian declines the month here ("5 марта"), the format form.
    ("ru", "четверг, 5 марта 2026 г., 14:30"), ("ky", "2026-ж., 5-март, бейшемби, 14:30"),
    ("en", "Thursday, March 5, 2026, 2:30 PM")])
def test_minutes_pdf_dates_follow_the_language(login_as, lang, expected):
    from pypdf import PdfReader

    meeting = _sokuluk_meeting_at(datetime(2026, 3, 5, 8, 30))
    data = login_as("coordinator.sokuluk").get(
        f"/meetings/{pid(meeting)}/minutes.pdf?lang={lang}").data
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    assert expected in text
