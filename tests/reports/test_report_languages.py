"""The report's PDF and XLSX in Kyrgyz and in Russian: title, cover, table
titles, headings, notes, chart titles and legends, sheet names, all from the
catalog of the chosen language; territory names from the reference data in
that language; no English left."""
from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po
from openpyxl import load_workbook
from pypdf import PdfReader

from coordination import PROJECT_ROOT
from coordination.extensions import db
from coordination.territories.models import Territory, TerritoryLevel
from coordination.territories.services import territory_by_code

PERIOD = {"from": "2025-12", "to": "2026-11"}
CATALOGS = PROJECT_ROOT / "coordination" / "translations"

#: The report's fixed texts (English ids): every one must show translated.
TITLES = [
    "Anonymized statistics on family violence",
    "Registered cases: this period and the same months a year earlier",
    "Registered cases and their survivors by month",
    "Year to date, against the same months a year earlier",
    "Survivors by age and sex",
    "Incidents by form of violence",
    "Who the alleged perpetrator is to the survivor, by the alleged perpetrator's sex",
    "Survivors, incidents and protection orders by territory",
    "Survivors, incidents and protection orders by the survivor's sex",
    "Survivors per 10,000 population",
    "Referrals sent, by receiving agency type and outcome",
    "Answers to referrals by receiving agency type",
    "Answers to referrals by service",
    "Who reported the incidents",
    "Time from the incident to the registration of the case",
    "Time from an incoming report to the first action",
    "Repeat cases",
    "Cases closed, by reason",
    "Correctional programmes",
    "Protection orders",
    "Checks of protection orders",
    "Incidents with bride kidnapping, forced or early marriage",
    "Registered cases by current risk level",
    "Open follow-ups whose due month has ended, by owning agency type",
]
HEADINGS = ["Territory", "This period", "A year earlier", "Change", "Total", "Month", "Cases",
            "Survivors", "Form of violence", "Age", "Relationship", "Receiving agency",
            "Answered", "Median hours to the answer", "Number", "Risk level", "Agency",
            "Not assessed", "Not recorded", "Incidents"]
COVER = ["Period", "Territory", "Data as of", "Figures are slightly altered", "Legend",
         "Definitions", "Consent", "Coverage (first month with a case)", "Revision policy"]
NOTES = ["An incident with several forms counts under each; the total counts each incident "
         "once. Includes sexual violence: counts below %(k)d are shown as “<%(k)d”."]
#: Two English words in a row: an untranslated text.
ENGLISH = re.compile(r"[A-Za-z]{2,} [A-Za-z]{2,}")


def _translations(lang: str) -> dict[str, str]:
    with open(CATALOGS / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return {m.id: m.string for m in read_po(handle) if isinstance(m.id, str) and m.id}


def _downloads(client, lang: str, **params) -> tuple[str, object]:
    query = {**PERIOD, "lang": lang, **params}
    pdf = PdfReader(io.BytesIO(client.get("/reports/aggregate.pdf", query_string=query).data))
    text = " ".join(" ".join(page.extract_text() for page in pdf.pages).split())
    workbook = load_workbook(io.BytesIO(
        client.get("/reports/aggregate.xlsx", query_string=query).data))
    return text, workbook


def _strings(workbook) -> set[str]:
    return {cell.value for sheet in workbook.worksheets for row in sheet.iter_rows()
            for cell in row if isinstance(cell.value, str)}


def _regions() -> list[Territory]:
    return list(db.session.scalars(sa.select(Territory).where(
        Territory.level == TerritoryLevel.REGION, Territory.active.is_(True))
        .order_by(Territory.code)))


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_national_report_downloads_are_in_the_chosen_language(login_as, lang):
    texts = _translations(lang)
    pdf, workbook = _downloads(login_as("ministry.analyst"), lang)
    strings = _strings(workbook)

    titles = [texts[t] for t in TITLES]
    cover = workbook.worksheets[0]
    assert cover["A1"].value == titles[0]
    assert [cover.cell(row=r, column=1).value for r in range(3, 3 + len(COVER))] == [
        texts[c] for c in COVER]
    assert cover["B4"].value == territory_by_code("417").name(lang)
    # One sheet per table, named by its translated title (Excel keeps 31 characters).
    sheets = workbook.worksheets
    assert [sheet["A1"].value for sheet in sheets[1:]] == titles[1:]
    for sheet, title in zip(sheets[1:], titles[1:], strict=True):
        allowed = " ".join(re.sub(r"[\[\]:*?/\\]", " ", title).split())  # Excel's rules
        name = re.sub(r" \(\d+\)$", "", sheet.title)  # two titles that begin alike
        assert allowed.startswith(name) and len(name) >= min(20, len(allowed)), (
            sheet.title, title)
    assert {texts[h] for h in HEADINGS} <= strings
    note = texts[NOTES[0]] % {"k": 10}
    assert any(note in text for text in strings)

    for text in [*titles, *(texts[c] for c in COVER), note]:
        assert " ".join(text.split()) in pdf, text
    assert " ".join(cover["B6"].value.split()) in pdf  # figures are slightly altered

    # Chart titles are their tables' titles; the legends name the columns.
    forms = titles[TITLES.index("Incidents by form of violence")]
    assert pdf.count(titles[1]) >= 2 and pdf.count(forms) >= 2
    assert texts["A year earlier"] in pdf


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_territory_names_come_from_the_reference_data_in_the_language(login_as, lang):
    pdf, workbook = _downloads(login_as("ministry.analyst"), lang)
    regions = _regions()
    by_territory = workbook.worksheets[1]
    labels = [by_territory.cell(row=r, column=1).value for r in range(4, 4 + len(regions))]
    assert labels == [region.name(lang) for region in regions]
    forms = workbook.worksheets[5]
    assert [c.value for c in forms[3]][1:-1] == [region.name(lang) for region in regions]
    for region in regions:
        assert region.name(lang) in pdf
        assert region.name_en not in pdf
        assert region.name_en not in _strings(workbook)


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_a_district_report_names_its_district_in_the_language(login_as, lang):
    sokuluk = territory_by_code("41708222")
    pdf, workbook = _downloads(login_as("coordinator.sokuluk"), lang)
    assert workbook.worksheets[0]["B4"].value == sokuluk.name(lang)
    assert sokuluk.name(lang) in pdf and sokuluk.name_en not in pdf


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_no_english_text_in_the_downloads(login_as, lang):
    pdf, workbook = _downloads(login_as("ministry.analyst"), lang)
    assert not ENGLISH.search(pdf), ENGLISH.search(pdf)
    english = [s for s in _strings(workbook) | set(workbook.sheetnames) if ENGLISH.search(s)]
    assert english == []
    assert workbook.properties.language == lang
