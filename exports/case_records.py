"""Printable records of one case as PDF: the case summary, a referral
letter, a protection-order record.

The coordination side decides what each reader may see and translates every
label; this module only lays out the plain data it is given: a title, parts
of label/value lines and tables, and on every page a confidentiality header,
a footer and "page N of M". Text is set in the DejaVu Sans shipped in
``exports/fonts`` (the Kyrgyz ң ө ү included), embedded in the file. Nothing
here imports ``coordination``.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from xml.sax.saxutils import escape  # escapes output, parses no XML  # nosec B406

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from exports.minutes import FONT, FONT_BOLD, _register_fonts

_MUTED = colors.HexColor("#5b6474")
_ALERT = colors.HexColor("#8a1c1c")
_RULE = colors.HexColor("#b8c2cc")
_HEAD_FILL = colors.HexColor("#e8eef4")


@dataclass(frozen=True)
class Part:
    """One part of a record: label/value lines, or a table, or a note."""

    heading: str
    lines: list[tuple[str, str]] = field(default_factory=list)
    head: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    #: Shown when the part has neither lines nor rows ("none recorded").
    empty: str = ""


@dataclass(frozen=True)
class PrintedRecord:
    title: str
    subtitle: str
    #: On top of every page: who may read this and what not to do with it.
    confidentiality: str
    #: At the foot of every page, left: what the document is and when it was made.
    footer: str
    #: "Page %(page)s of %(pages)s" in the reader's language.
    page_label: str
    parts: list[Part] = field(default_factory=list)


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13, alignment=TA_LEFT)
    return {
        "body": body,
        "label": ParagraphStyle("label", parent=body, fontName=FONT_BOLD, fontSize=9.5),
        "cell": ParagraphStyle("cell", parent=body, fontSize=9, leading=11.5),
        "cell_head": ParagraphStyle("cell_head", parent=body, fontName=FONT_BOLD, fontSize=9,
                                    leading=11.5),
        "muted": ParagraphStyle("muted", parent=body, textColor=_MUTED),
        "title": ParagraphStyle("title", parent=body, fontName=FONT_BOLD, fontSize=15,
                                leading=19, spaceAfter=1.5 * mm),
        "subtitle": ParagraphStyle("subtitle", parent=body, textColor=_MUTED, spaceAfter=4 * mm),
        "heading": ParagraphStyle("heading", parent=body, fontName=FONT_BOLD, fontSize=12,
                                  leading=15, spaceBefore=5 * mm, spaceAfter=2 * mm),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (escaped: reportlab reads a little markup)."""
    return Paragraph(escape(text or "—").replace("\n", "<br/>"), style)


def _lines(lines, width, styles) -> Table:
    return Table([[_p(label, styles["label"]), _p(value, styles["body"])]
                  for label, value in lines],
                 colWidths=[0.32 * width, 0.68 * width], hAlign="LEFT",
                 style=TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                   ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5)]))


def _table(head, rows, width, styles) -> Table:
    data = [[_p(text, styles["cell_head"]) for text in head]]
    data += [[_p(text, styles["cell"]) for text in row] for row in rows]
    return Table(data, colWidths=[width / len(head)] * len(head), repeatRows=1, hAlign="LEFT",
                 style=TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("BACKGROUND", (0, 0), (-1, 0), _HEAD_FILL),
                                   ("GRID", (0, 0), (-1, -1), 0.4, _RULE)]))


def _numbered_canvas(record: PrintedRecord):
    """A canvas that draws the header and footer once the page count is known."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            width, height = A4
            self.saveState()
            self.setFont(FONT_BOLD, 8)
            self.setFillColor(_ALERT)
            self.drawCentredString(width / 2, height - 10 * mm, record.confidentiality)
            self.setFont(FONT, 8)
            self.setFillColor(_MUTED)
            self.drawString(18 * mm, 10 * mm, record.footer)
            self.drawRightString(width - 18 * mm, 10 * mm,
                                 record.page_label % {"page": self._pageNumber, "pages": total})
            self.restoreState()

    return NumberedCanvas


def render_record(record: PrintedRecord) -> bytes:
    """The record as PDF bytes (A4, fonts embedded, the same bytes for the same data)."""
    _register_fonts()
    styles = _styles()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
        bottomMargin=20 * mm, title=record.title, invariant=True, initialFontName=FONT)
    width = document.width
    story = [_p(record.title, styles["title"]), _p(record.subtitle, styles["subtitle"])]
    for part in record.parts:
        story.append(_p(part.heading, styles["heading"]))
        if part.lines:
            story.append(_lines(part.lines, width, styles))
        if part.rows:
            story.append(_table(part.head, part.rows, width, styles))
        if not part.lines and not part.rows:
            story.append(_p(part.empty, styles["muted"]))
    story.append(Spacer(1, 4 * mm))
    document.build(story, canvasmaker=_numbered_canvas(record))
    return buffer.getvalue()
