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
    "Registered cases: this period and the same period a year earlier",
    "Registered cases by month",
    "Forms of violence (a case counts once for each form)",
    "Survivors by age and sex",
    "Who the alleged perpetrator is to the survivor, by the alleged perpetrator's sex",
    "Referrals sent in the period, by receiving agency type and outcome",
    "Median hours from sending a referral to its answer",
    "Protection orders, programmes, repeat cases and marriage flags",
    "Checks of protection orders",
    "Registered cases by current risk level",
    "Overdue follow-ups today, by owning agency type",
]
HEADINGS = ["Territory", "This period", "A year earlier", "Total", "Month", "Cases",
            "Form of violence", "Age", "Relationship", "Receiving agency", "Hours", "Indicator",
            "Number", "Risk level", "Agency", "Overdue", "Not assessed"]
COVER = ["Period", "Smallest count shown (k)", "Anonymization", "Produced"]
NOTES = ["Includes sexual violence: cells below %(k)d are suppressed."]
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
    assert [cover.cell(row=r, column=1).value for r in range(3, 8)] == [
        texts["Period"], texts["Territory"], *(texts[c] for c in COVER[1:])]
    assert cover["B4"].value == territory_by_code("417").name(lang)
    # One sheet per table, named by its translated title (Excel keeps 31 characters).
    assert [sheet["A1"].value for sheet in workbook.worksheets[1:]] == titles[1:]
    for sheet, title in zip(workbook.worksheets[1:], titles[1:], strict=True):
        allowed = " ".join(re.sub(r"[\[\]:*?/\\]", " ", title).split())  # Excel's rules
        assert allowed.startswith(sheet.title) and len(sheet.title) >= 20, (sheet.title, title)
    assert {texts[h] for h in HEADINGS} <= strings
    note = texts[NOTES[0]] % {"k": 10}
    assert note in strings

    for text in [*titles, *(texts[c] for c in COVER), note, texts["Territory"]]:
        assert " ".join(text.split()) in pdf, text
    assert " ".join(cover["B7"].value.split()) in pdf  # the anonymization note

    # Chart titles are their tables' titles; the legends name the columns.
    assert pdf.count(titles[1]) >= 2 and pdf.count(titles[3]) >= 2
    assert texts["A year earlier"] in pdf


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_territory_names_come_from_the_reference_data_in_the_language(login_as, lang):
    pdf, workbook = _downloads(login_as("ministry.analyst"), lang)
    regions = _regions()
    by_territory = workbook.worksheets[1]
    labels = [by_territory.cell(row=r, column=1).value for r in range(4, 4 + len(regions))]
    assert labels == [region.name(lang) for region in regions]
    forms = workbook.worksheets[3]
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
