"""An aggregate :class:`~exports.report.Report` as a PDF (A4, fonts embedded).

A cover (the title and every cover line), each table (header repeated on
every page it spans, numbers right-aligned, totals in bold), each chart drawn
with ``reportlab.graphics``, and page numbers. A table too wide for a
portrait page (every header word and number unbroken at 7 pt or more) gets
landscape pages. Every text is set in the DejaVu Sans shipped in
``exports/fonts`` (full Cyrillic including the Kyrgyz ң ө ү), so the PDF
renders on any machine. Nothing here imports ``coordination``.
"""
from __future__ import annotations

import io
import math
from xml.sax.saxutils import escape  # escapes output, parses no XML  # nosec B406

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    TableStyle,
)
from reportlab.platypus import Table as PdfTable

from exports.minutes import FONT, FONT_BOLD, _register_fonts
from exports.report import Chart, Report, Table
from exports.svg_charts import PALETTE, format_value, nice_ticks

_MARGIN = 18 * mm
_PORTRAIT_WIDTH = A4[0] - 2 * _MARGIN
_PADDING = 3  #: left and right padding of a table cell
_CHART_HEIGHT = 70 * mm  #: legend and plot; the category labels come on top of that
_LABEL_MAX = 24
_AXIS_SIZE = 7.5
_ANGLE = 35  #: degrees by which long category labels are turned
_MUTED = colors.HexColor("#5b6474")
_HEAD_FILL = colors.HexColor("#e8eef4")
_TOTAL_FILL = colors.HexColor("#f3f5f8")
_RULE = colors.HexColor("#b8c2cc")


def _styles(size: float = 9) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13, alignment=TA_LEFT)
    cell = ParagraphStyle("cell", parent=body, fontSize=size, leading=size * 1.25)
    return {
        "body": body,
        "note": ParagraphStyle("note", parent=body, fontSize=8.5, leading=11, textColor=_MUTED,
                               spaceBefore=1.5 * mm),
        "cell": cell,
        "cell_bold": ParagraphStyle("cell_bold", parent=cell, fontName=FONT_BOLD),
        "head": ParagraphStyle("head", parent=cell, fontName=FONT_BOLD),
        "head_right": ParagraphStyle("head_right", parent=cell, fontName=FONT_BOLD,
                                     alignment=TA_RIGHT),
        "title": ParagraphStyle("title", parent=body, fontName=FONT_BOLD, fontSize=16,
                                leading=20, spaceAfter=6 * mm),
        "heading": ParagraphStyle("heading", parent=body, fontName=FONT_BOLD, fontSize=12,
                                  leading=15, spaceBefore=6 * mm, spaceAfter=2.5 * mm),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (escaped: reportlab reads a little markup)."""
    return Paragraph(escape(text), style)


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _cover(report: Report, width: float) -> list:
    styles = _styles()
    rows = [[_p(label, styles["cell_bold"]), _p(value, styles["body"])]
            for label, value in report.cover]
    story: list = [_p(report.title, styles["title"])]
    if rows:
        story.append(PdfTable(rows, colWidths=[0.3 * width, 0.7 * width], hAlign="LEFT",
                              style=TableStyle([
                                  # Tables set a cell font even around paragraphs.
                                  ("FONTNAME", (0, 0), (-1, -1), FONT),
                                  ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                  ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                  ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                              ])))
    return story


def _width(text: str, font: str, size: float) -> float:
    return stringWidth(text, font, size) + 2 * _PADDING + 1


def _layout(table: Table, width: float, smallest: float = 6) -> tuple[float, float, float] | None:
    """Font size, row label width and number column width, or None when nothing fits.

    The largest type (9 down to ``smallest`` pt) with which every header word and every
    number fits unbroken, the row labels getting what they need, between 15 and 40 %.
    """
    columns = max(len(table.columns), 1)
    labels = [table.row_heading, *(label for label, _ in table.rows)]
    for size in (size for size in (9, 8, 7, 6) if size >= smallest):
        words = [word for text in table.columns for word in text.split()]
        words += [cell.display for _, cells in table.rows for cell in cells]
        number_need = max((_width(word, FONT_BOLD, size) for word in words), default=0)
        label_need = max(_width(label, FONT_BOLD, size) for label in labels)
        # Row labels may wrap, down to 15 % of the width, to leave the numbers whole.
        label_width = max(min(label_need, 0.4 * width, width - number_need * columns),
                          min(label_need, 0.15 * width))
        if width - label_width >= number_need * columns:
            return size, label_width, (width - label_width) / columns
    return None


def _table_style(table: Table, size: float) -> TableStyle:
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), size),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("BACKGROUND", (0, 0), (-1, 0), _HEAD_FILL),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, _RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), _PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), _PADDING),
    ]
    if table.has_totals and table.rows:
        commands += [
            ("FONTNAME", (-1, 1), (-1, -1), FONT_BOLD),
            ("FONTNAME", (0, -1), (-1, -1), FONT_BOLD),
            ("BACKGROUND", (0, -1), (-1, -1), _TOTAL_FILL),
            ("LINEABOVE", (0, -1), (-1, -1), 0.8, _MUTED),
        ]
    return TableStyle(commands)


def _table(table: Table, width: float) -> list:
    columns = max(len(table.columns), 1)
    # Too wide even for a landscape page: the smallest type, words may break.
    size, label_width, number_width = _layout(table, width) or (6, 0.15 * width,
                                                                 0.85 * width / columns)
    styles = _styles(size)
    head = [_p(table.row_heading, styles["head"])]
    head += [_p(text, styles["head_right"]) for text in table.columns]
    data = [head]
    last = len(table.rows) - 1
    for index, (label, cells) in enumerate(table.rows):
        bold = table.has_totals and index == last
        data.append([_p(label, styles["cell_bold" if bold else "cell"]),
                     *(cell.display for cell in cells)])
    flowable = PdfTable(data, colWidths=[label_width] + [number_width] * columns, repeatRows=1,
                        hAlign="LEFT", style=_table_style(table, size))
    # A new page unless the title, the header and a few rows fit on this one; not
    # keepWithNext, which would push a long table off a page it could start on.
    story = [CondPageBreak(40 * mm), _p(table.title, _styles()["heading"]), flowable]
    if table.note:
        story.append(_p(table.note, _styles()["note"]))
    return story


def _label_room(names: list[str], plot_width: float) -> tuple[bool, float, float]:
    """Whether category labels turn, the room they need below the axis, and how far the
    first one reaches left of the plot."""
    widths = [stringWidth(name, FONT, _AXIS_SIZE) for name in names]
    slot = plot_width / max(len(names), 1)
    if max(widths, default=0) <= slot - 4:
        return False, 8 * mm, 0.0
    angle = math.radians(_ANGLE)
    return True, max(widths) * math.sin(angle) + 6 * mm, widths[0] * math.cos(angle) - slot / 2


def _category_axis(axis, names: list[str], rotated: bool) -> None:
    axis.categoryNames = names
    axis.labels.fontName = FONT
    axis.labels.fontSize = _AXIS_SIZE
    if rotated:  # long labels would overlap their neighbours
        axis.labels.angle = _ANGLE
        axis.labels.boxAnchor = "ne"
        axis.labels.dx = 2
        axis.labels.dy = -2
    else:
        axis.labels.boxAnchor = "n"
        axis.labels.dy = -3


def _value_axis(axis, chart: Chart) -> None:
    """The same round ticks as the page's SVG charts (counts never step by halves)."""
    values = [v for series in chart.series for v in series.values if v is not None]
    ticks = nice_ticks(min(values + [0]), max(values + [0]))
    axis.valueMin, axis.valueMax = ticks[0], ticks[-1]
    axis.valueStep = ticks[1] - ticks[0]
    axis.labels.fontName = FONT
    axis.labels.fontSize = _AXIS_SIZE
    axis.labelTextFormat = lambda value: format_value(value, chart.language)
    axis.visibleGrid = True
    axis.gridStrokeColor = colors.HexColor("#d9dde3")
    axis.gridStrokeWidth = 0.5


def _legend(chart: Chart, x: float, y: float) -> Legend:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.boxAnchor = "nw"
    legend.fontName = FONT
    legend.fontSize = 8
    legend.alignment = "right"
    legend.dx = legend.dy = 7
    legend.deltay = 11
    legend.autoXPadding = 14
    legend.columnMaximum = math.ceil(len(chart.series) / 3)
    legend.colorNamePairs = [(colors.HexColor(PALETTE[i % len(PALETTE)]), _truncate(s.name, 40))
                             for i, s in enumerate(chart.series)]
    return legend


def _segments(values: list[float | None]) -> list[list[float | None]]:
    """One row per unbroken run, None elsewhere: the line breaks at a suppressed value."""
    rows, current = [], None
    for index, value in enumerate(values):
        if value is None:
            current = None
            continue
        if current is None:
            current = [None] * len(values)
            rows.append(current)
        current[index] = value
    return rows


def _bar_plot(chart: Chart) -> VerticalBarChart:
    plot = VerticalBarChart()
    # No series at all: the axes still need a row of data.
    plot.data = ([tuple(series.values) for series in chart.series]
                 or [tuple([None] * max(len(chart.labels), 1))])
    plot.groupSpacing = 6
    plot.barSpacing = 1
    plot.bars.strokeColor = None
    for index in range(len(chart.series)):
        plot.bars[index].fillColor = colors.HexColor(PALETTE[index % len(PALETTE)])
    return plot


def _line_plot(chart: Chart) -> HorizontalLineChart:
    plot = HorizontalLineChart()
    rows: list[list[float | None]] = []
    for index, series in enumerate(chart.series):
        colour = colors.HexColor(PALETTE[index % len(PALETTE)])
        for segment in _segments(series.values):
            style = plot.lines[len(rows)]
            style.strokeColor = colour
            style.strokeWidth = 1.5
            style.symbol = makeMarker("FilledCircle", size=3.5, fillColor=colour,
                                      strokeColor=colour)
            rows.append(segment)
    plot.data = [tuple(row) for row in rows]
    if not rows:
        # Nothing published: the axes still need a row of data, drawn with no stroke.
        plot.data = [tuple([None] * max(len(chart.labels), 1))]
        plot.lines[0].strokeColor = None
    plot.joinedLines = 1
    return plot


def _chart(chart: Chart, width: float) -> list:
    legend_rows = math.ceil(len(chart.series) / 3)
    names = [_truncate(label, _LABEL_MAX) for label in chart.labels]
    rotated, below, overhang = _label_room(names, width - 16 * mm)
    # The drawing's own default font would be Helvetica, a font the PDF does not embed.
    drawing = Drawing(width, _CHART_HEIGHT + below, initialFontName=FONT)
    plot = _bar_plot(chart) if chart.kind == "bar" else _line_plot(chart)
    plot.x, plot.y = max(12 * mm, overhang + 2), below
    plot.width = width - plot.x - 4 * mm
    plot.height = _CHART_HEIGHT - legend_rows * 11 - 6 * mm
    _category_axis(plot.categoryAxis, names, rotated)
    _value_axis(plot.valueAxis, chart)
    drawing.add(plot)
    if chart.series:
        drawing.add(_legend(chart, plot.x, drawing.height))
    return [KeepTogether([_p(chart.title, _styles()["heading"]), drawing])]


def _frame(page: tuple[float, float]) -> Frame:
    return Frame(_MARGIN, _MARGIN + 4 * mm, page[0] - 2 * _MARGIN, page[1] - 2 * _MARGIN - 4 * mm,
                 leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)


def _footer(title: str, page: tuple[float, float]):
    def draw(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(_MUTED)
        canvas.drawString(_MARGIN, 10 * mm, _truncate(title, 90))
        canvas.drawRightString(page[0] - _MARGIN, 10 * mm, str(document.page))
        canvas.restoreState()
    return draw


def _wide(table: Table) -> bool:
    """Whether the table wants a landscape page: in portrait it would need type under 7 pt."""
    return _layout(table, _PORTRAIT_WIDTH, smallest=7) is None


def _story(report: Report) -> list:
    widths = {"portrait": _PORTRAIT_WIDTH, "landscape": landscape(A4)[0] - 2 * _MARGIN}
    story = _cover(report, widths["portrait"])
    current = "portrait"
    for table in report.tables:
        wanted = "landscape" if _wide(table) else "portrait"
        if wanted != current:
            story += [NextPageTemplate(wanted), PageBreak()]
            current = wanted
        story += _table(table, widths[current])
    if report.charts and current != "portrait":
        story += [NextPageTemplate("portrait"), PageBreak()]
    for chart in report.charts:
        story += _chart(chart, widths["portrait"])
    return story


def render_pdf(report: Report) -> bytes:
    """The report as PDF bytes (A4, fonts embedded, the same bytes for the same data)."""
    _register_fonts()
    buffer = io.BytesIO()
    document = BaseDocTemplate(
        buffer, pagesize=A4, title=report.title, lang=report.language, invariant=True,
        # Pages start in our font: no standard font the reader must have is referenced.
        initialFontName=FONT,
    )
    document.addPageTemplates([
        PageTemplate("portrait", frames=[_frame(A4)], onPage=_footer(report.title, A4),
                     pagesize=A4),
        PageTemplate("landscape", frames=[_frame(landscape(A4))], pagesize=landscape(A4),
                     onPage=_footer(report.title, landscape(A4))),
    ])
    document.build(_story(report))
    return buffer.getvalue()
