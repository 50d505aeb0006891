"""The aggregate report renderers: CSV, XLSX, PDF and the page's SVG charts.

Each gets a small report built by hand, in Kyrgyz and in Russian, with a
suppressed cell, totals, labels that look like spreadsheet formulas or markup,
a bar chart and a line chart with gaps.
"""
from __future__ import annotations

import csv
import io
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from exports.cells import neutralise
from exports.csv_report import render_csv
from exports.pdf_report import render_pdf
from exports.report import Cell, Chart, CoverLine, Report, Series, Table
from exports.svg_charts import format_value, render_svg
from exports.xlsx_report import SHEET_NAME_MAX, render_xlsx

PROJECT_ROOT = Path(__file__).resolve().parents[2]
FORMULA_LABELS = ["=SUM(A1)", "+7 (312) 55-55-55", "@cmd", "-1+2"]
MARKUP_LABEL = "Кара-Суу <Ош> & ко"

TEXTS = {
    "ky": {
        "title": "Үй-бүлөлүк зомбулук: жыйынды статистика",
        "cover": [
            ("Мезгил", "2026-жылдын январы – июну"),
            ("Аймак", "Чүй облусу"),
            ("k", "5 (сексуалдык зомбулук үчүн 10)"),
            ("Анонимдештирүү", "Бардык сандар анонимдештирилген: 1ден 4кө чейинки маанилер "
                               "«<5» болуп көрсөтүлөт, кээ бир кошумча уячалар да жашырылат."),
            ("Түзүлгөн", "2026-11-01 09:30"),
        ],
        "forms": "Зомбулуктун түрлөрү боюнча жаңы иштер",
        "region": "Район",
        "columns": ["Физикалык", "Психологиялык", "Экономикалык", "Жалпы"],
        "rows": ["Сокулук району", MARKUP_LABEL, "Жалпы"],
        "response": "Жолдомолорго жооп берүү убактысы (саат)",
        "agency": "Мекеме",
        "median": "Медиана",
        "note": "Кеңеш: маанилер тегеректелген.",
        "bar": "Түрлөр боюнча иштер & <аймактар>",
        "line": "Айлар боюнча жаңы иштер",
        "series": ["Физикалык", "Психологиялык"],
    },
    "ru": {
        "title": "Семейное насилие: сводная статистика",
        "cover": [
            ("Период", "январь – июнь 2026 года"),
            ("Территория", "Чуйская область"),
            ("k", "5 (10 для сексуального насилия)"),
            ("Анонимизация", "Все числа анонимизированы: значения от 1 до 4 показаны как «<5», "
                             "некоторые дополнительные ячейки тоже скрыты."),
            ("Сформировано", "01.11.2026 09:30"),
        ],
        "forms": "Новые дела по формам насилия",
        "region": "Район",
        "columns": ["Физическое", "Психологическое", "Экономическое", "Всего"],
        "rows": ["Сокулукский район", MARKUP_LABEL, "Всего"],
        "response": "Время ответа на направления (часы)",
        "agency": "Ведомство",
        "median": "Медиана",
        "note": "Значения округлены.",
        "bar": "Дела по формам & <территориям>",
        "line": "Новые дела по месяцам",
        "series": ["Физическое", "Психологическое"],
    },
}


def n(value: int | float) -> Cell:
    return Cell(value, f"{value:g}")


SUPPRESSED = Cell(None, "<5", suppressed=True)
EMPTY = Cell(None, "—")


def make_report(language: str, wide: bool = False) -> Report:
    t = TEXTS[language]
    forms = Table(
        key="forms_by_region", title=t["forms"], row_heading=t["region"], columns=t["columns"],
        rows=[
            (t["rows"][0], [n(12), SUPPRESSED, n(7), n(22)]),
            (t["rows"][1], [n(9), n(6), SUPPRESSED, n(19)]),
            (t["rows"][2], [n(21), n(9), n(11), n(41)]),
        ],
        note=t["note"],
    )
    response = Table(
        key="response_hours", title=t["response"], row_heading=t["agency"],
        columns=[t["median"]], has_totals=False,
        rows=[(FORMULA_LABELS[0], [n(3.5)]), (FORMULA_LABELS[1], [n(12)]),
              (FORMULA_LABELS[2], [n(0)]), (FORMULA_LABELS[3], [EMPTY])],
    )
    tables = [forms, response]
    if wide:
        columns = [f"{t['median']} {i}" for i in range(16)]
        tables.append(Table(key="wide", title="Wide", row_heading=t["region"], columns=columns,
                            rows=[(t["rows"][0], [n(i) for i in range(len(columns))])]))
    bar = Chart(key="forms", kind="bar", title=t["bar"], labels=t["rows"][:2],
                series=[Series(t["series"][0], [12, 9]), Series(t["series"][1], [None, 6])])
    line = Chart(key="months", kind="line", title=t["line"],
                 labels=[f"2026-0{month}" for month in range(1, 7)],
                 series=[Series(t["series"][0], [10, 12, None, 8, 11, 9]),
                         Series(t["series"][1], [5, None, None, 6, 7, 8])])
    return Report(title=t["title"], cover=t["cover"], tables=tables, charts=[bar, line],
                  language=language)


LANGUAGES = pytest.mark.parametrize("language", ["ky", "ru"])


def displays(report: Report) -> set[str]:
    return {cell.display for table in report.tables for _, cells in table.rows for cell in cells}


def looks_like_formula(text: str) -> bool:
    return bool(text) and text[0] in "=+-@\t\r" and neutralise(text) != text


# --- cells ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("=SUM(A1)", "'=SUM(A1)"),
    ("+7 (312) 55", "'+7 (312) 55"),
    ("-1+2", "'-1+2"),
    ("@cmd", "'@cmd"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("＝1+1", "'＝1+1"),
    ("Сокулук", "Сокулук"),
    ("<5", "<5"),
    ("", ""),
    ("-3", "-3"),  # a number literal runs nothing
    ("2.5", "2.5"),
])
def test_neutralise(text, expected):
    assert neutralise(text) == expected


# --- CSV ------------------------------------------------------------------------------------

@LANGUAGES
def test_csv(language):
    report = make_report(language)
    data = render_csv(report)
    assert data.startswith(b"\xef\xbb\xbf")
    records = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert records[0] == [report.title]
    for label, value in report.cover:
        assert [label, value] in records
    fields = {field for record in records for field in record}
    assert displays(report) <= fields
    assert "<5" in fields
    for label in FORMULA_LABELS:
        assert "'" + label in fields
    assert not any(looks_like_formula(field) for field in fields)
    for table in report.tables:
        position = records.index([table.title])
        assert records[position - 1] == []  # a blank line before every table
        assert records[position + 1] == [table.row_heading, *table.columns]


# --- XLSX -----------------------------------------------------------------------------------

def all_cells(workbook):
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row
            if cell.value is not None]


@LANGUAGES
def test_xlsx(language):
    report = make_report(language)
    workbook = load_workbook(io.BytesIO(render_xlsx(report)))
    assert len(workbook.worksheets) == 1 + len(report.tables)
    cover = workbook.worksheets[0]
    cover_values = {cell.value for row in cover.iter_rows() for cell in row}
    assert report.title in cover_values
    for label, value in report.cover:
        assert {label, value} <= cover_values

    forms = workbook.worksheets[1]
    assert forms["A1"].value == report.tables[0].title
    assert [c.value for c in forms[3]] == [report.tables[0].row_heading,
                                           *report.tables[0].columns]
    assert all(c.font.b for c in forms[3])
    assert forms.freeze_panes == "B4"
    assert forms["B4"].value == 12 and forms["B4"].data_type == "n"
    assert forms["C4"].value == "<5" and forms["C4"].data_type == "s"
    assert forms["E6"].value == 41 and forms["E6"].font.b  # the totals are bold
    assert forms["E4"].font.b and not forms["B4"].font.b

    response = workbook.worksheets[2]
    assert response["A4"].value == "'=SUM(A1)"
    assert response["B4"].value == 3.5 and response["B4"].number_format == "#,##0.0"
    assert response["B7"].value == "—"
    cells = all_cells(workbook)
    assert all(cell.data_type != "f" for cell in cells)
    assert not any(isinstance(c.value, str) and looks_like_formula(c.value) for c in cells)


def test_xlsx_sheet_names_are_valid_and_unique():
    long_title = "Cases / by region: [all] * districts? of the country\\ " * 2
    table = Table(key="k", title=long_title, row_heading="R", columns=["A"],
                  rows=[("x", [n(1)])], has_totals=False)
    report = Report(title="'Report'", cover=[], tables=[table, table, table])
    names = load_workbook(io.BytesIO(render_xlsx(report))).sheetnames
    assert len({name.casefold() for name in names}) == 4
    for name in names:
        assert len(name) <= SHEET_NAME_MAX
        assert not set(name) & set("[]:*?/\\")
        assert not name.startswith("'") and not name.endswith("'")


# --- machine-readable values and human labels ---------------------------------------------

MONTHS = {"ky": ("Март 2026", "Апрель 2026", "Жалпы", "Мезгил", "Ай", "Иштер"),
          "ru": ("март 2026", "апрель 2026", "Всего", "Период", "Месяц", "Дела")}


def months_report(language: str) -> Report:
    """Months as rows, a number in the thousands and a decimal, as the caller
    formats them for ``language`` (a space groups, a comma separates)."""
    march, april, total, period, month, cases = MONTHS[language]
    table = Table(key="months", title=cases, row_heading=month, columns=[cases],
                  rows=[(march, [Cell(1234, "1\u00a0234")]), (april, [Cell(3.5, "3,5")]),
                        (total, [Cell(1237.5, "1\u00a0237,5")])],
                  row_dates=[date(2026, 3, 1), date(2026, 4, 1), None])
    return Report(title=cases, cover=[CoverLine(period, f"{march} – {april}", "2026-03/2026-04"),
                                      ("k", "5")],
                  tables=[table], language=language)


@LANGUAGES
def test_csv_writes_plain_numbers_and_iso_months(language):
    march, april, total, period, _month, _cases = MONTHS[language]
    records = list(csv.reader(io.StringIO(render_csv(months_report(language)).decode(
        "utf-8-sig"), newline="")))
    assert [period, "2026-03/2026-04"] in records and ["k", "5"] in records
    assert ["2026-03", "1234"] in records
    assert ["2026-04", "3.5"] in records
    assert [total, "1237.5"] in records
    assert not any(march in field or april in field for record in records for field in record)


@LANGUAGES
def test_xlsx_months_are_dates_named_in_the_language_and_numbers_are_grouped(language):
    workbook = load_workbook(io.BytesIO(render_xlsx(months_report(language))))
    cover, sheet = workbook.worksheets
    march, april, total, period, _month, _cases = MONTHS[language]
    assert [c.value for c in cover[3]] == [period, f"{march} – {april}"]  # people read the cover
    tag = {"ky": "[$-440]", "ru": "[$-419]"}[language]
    assert sheet["A4"].value == datetime(2026, 3, 1) and sheet["A5"].value == datetime(2026, 4, 1)
    assert sheet["A4"].number_format == sheet["A5"].number_format == f"{tag}mmmm yyyy"
    assert sheet["A6"].value == total
    assert (sheet["B4"].value, sheet["B4"].number_format) == (1234, "#,##0")
    assert (sheet["B5"].value, sheet["B5"].number_format) == (3.5, "#,##0.0")


@LANGUAGES
def test_pdf_prints_what_people_read(language):
    march, april, _total, period, _month, _cases = MONTHS[language]
    text = pdf_text(render_pdf(months_report(language)))
    assert f"{march} – {april}" in text and march in text
    assert "1 234" in text and "3,5" in text and "1 237,5" in text
    assert "2026-03" not in text and "1234" not in text


@pytest.mark.parametrize(("language", "expected"), [
    ("ky", ["1\u00a0000", "2,5"]), ("ru", ["1\u00a0000", "2,5"]), ("en", ["1,000", "2.5"])])
def test_chart_numbers_are_written_the_languages_way(language, expected):
    assert [format_value(1000, language), format_value(2.5, language)] == expected
    chart = Chart(key="c", kind="bar", title="T", labels=["a", "b"],
                  series=[Series("s", [1200, 2400])], language=language)
    texts = {"".join(e.itertext()) for e in ET.fromstring(render_svg(chart)).iter()}
    assert format_value(1000, language) in texts  # an axis tick
    assert any(text.endswith(": " + format_value(2400, language)) for text in texts)  # tooltip


# --- PDF ------------------------------------------------------------------------------------

def pdf_text(pdf: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())  # wrapped lines: compare word sequences


def pdf_fonts(pdf: bytes) -> list:
    fonts = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[str(font["/BaseFont"])] = font
    return list(fonts.values())


@LANGUAGES
def test_pdf(language):
    report = make_report(language)
    pdf = render_pdf(report)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    for words in [report.title, *(part for line in report.cover for part in line)]:
        assert " ".join(words.split()) in text
    for table in report.tables:
        assert table.title in text
    for chart in report.charts:
        assert chart.title in text
    assert "<5" in text
    assert "'=SUM(A1)" not in text  # neutralising is for spreadsheets only
    if language == "ky":
        assert {"ң", "ө", "ү"} <= set(text)
    assert render_pdf(report) == pdf  # the same bytes for the same data


def test_pdf_embeds_dejavu_and_no_standard_font():
    fonts = pdf_fonts(render_pdf(make_report("ky")))
    assert fonts
    for font in fonts:
        assert "DejaVuSans" in str(font["/BaseFont"])
        assert "/FontFile2" in font["/FontDescriptor"]  # the TrueType program is embedded


def test_pdf_puts_wide_tables_on_landscape_pages():
    reader = PdfReader(io.BytesIO(render_pdf(make_report("ru", wide=True))))
    shapes = [page.mediabox.width > page.mediabox.height for page in reader.pages]
    assert shapes[0] is False and True in shapes
    assert shapes[-1] is False  # the charts are back on portrait pages


def test_pdf_repeats_the_header_row_on_every_page():
    table = Table(key="long", title="Long", row_heading="Аймак", columns=["Жаңы", "Жалпы"],
                  rows=[(f"R{i}", [n(i), n(i)]) for i in range(120)])
    pages = PdfReader(io.BytesIO(render_pdf(Report(title="T", cover=[], tables=[table])))).pages
    assert len(pages) >= 3
    for page in pages:
        assert "Аймак Жаңы Жалпы" in " ".join(page.extract_text().split())


def test_pdf_of_an_empty_report():
    empty_chart = Chart(key="c", kind="line", title="Empty", labels=[], series=[])
    suppressed = Chart(key="d", kind="bar", title="All suppressed", labels=["a", "b"],
                       series=[Series("s", [None, None])])
    no_series = Chart(key="e", kind="bar", title="No series", labels=[], series=[])
    report = Report(title="T", cover=[("k", "5")], charts=[empty_chart, suppressed, no_series],
                    tables=[Table(key="t", title="No rows", row_heading="R", columns=[],
                                  rows=[])])
    assert "All suppressed" in pdf_text(render_pdf(report))


# --- SVG ------------------------------------------------------------------------------------

def assert_csp_safe(root: ET.Element) -> None:
    for element in root.iter():
        assert "style" not in element.attrib
        assert element.tag.rsplit("}", 1)[-1] not in {"style", "script", "foreignObject"}
        assert not any(name.startswith("on") for name in element.attrib)


def svg_tag(name: str) -> str:
    return "{http://www.w3.org/2000/svg}" + name


@LANGUAGES
def test_svg_bar_chart(language):
    chart = make_report(language).charts[0]
    svg = render_svg(chart)
    root = ET.fromstring(svg)
    assert_csp_safe(root)
    assert root.get("role") == "img"
    assert root.get("aria-label") == chart.title
    assert "&lt;Ош&gt; &amp; ко" in svg
    texts = {"".join(element.itertext()) for element in root.iter()}
    assert any(MARKUP_LABEL in text for text in texts)
    assert {series.name for series in chart.series} <= texts  # the legend
    values = [v for series in chart.series for v in series.values if v is not None]
    assert len(root.findall(f".//{svg_tag('rect')}")) == len(values)


@LANGUAGES
def test_svg_line_chart_breaks_at_suppressed_values(language):
    chart = make_report(language).charts[1]
    root = ET.fromstring(render_svg(chart, width=480, height=240))
    assert_csp_safe(root)
    assert root.get("width") == "480"
    lines = [p for p in root.iter(svg_tag("path")) if p.get("fill") == "none"]
    assert [line.get("d").count("M") for line in lines] == [2, 2]
    values = [v for series in chart.series for v in series.values if v is not None]
    assert len(root.findall(f".//{svg_tag('circle')}")) == len(values)
    assert not root.findall(f".//{svg_tag('rect')}")


def test_svg_long_labels_are_truncated_with_the_full_text_in_a_title():
    label = "Бишкек шаарынын Свердлов району & <башкалар>"
    chart = Chart(key="c", kind="bar", title="T", labels=[label, "b"],
                  series=[Series("s", [1, 2])])
    root = ET.fromstring(render_svg(chart))
    titles = [t.text for t in root.iter(svg_tag("title"))]
    assert label in titles
    truncated = [t.tail for t in root.iter(svg_tag("title")) if t.text == label]
    assert len(truncated) == 1 and truncated[0].endswith("…")
    assert label.startswith(truncated[0][:-1])


@pytest.mark.parametrize("kind", ["bar", "line"])
@pytest.mark.parametrize("labels, series", [
    ([], []),
    (["a"], []),
    (["a", "b"], [Series("s", [None, None])]),
    (["a", "b"], [Series("s", [0, 0])]),
])
def test_svg_of_an_empty_chart(kind, labels, series):
    root = ET.fromstring(render_svg(Chart(key="c", kind=kind, title="T", labels=labels,
                                          series=series)))
    assert root.get("aria-label") == "T"


# --- purity ---------------------------------------------------------------------------------

def test_renderers_import_neither_coordination_nor_flask():
    code = ("import sys, exports.csv_report, exports.xlsx_report, exports.pdf_report, "
            "exports.svg_charts; "
            "sys.exit(any(m.split('.')[0] in ('coordination', 'flask') for m in sys.modules))")
    subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, check=True)
