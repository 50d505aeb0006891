"""The minutes of a committee meeting as a PDF, from plain data.

A pure function: the caller hands over every text already translated and
formatted in the reader's language, and cases only by their reference
numbers (never a name, a survivor code, an address or a phone). The fonts
(DejaVu Sans, full Cyrillic including the Kyrgyz letters ң ө ү) ship with
this package and are embedded, so the PDF renders on any machine.
Nothing here imports ``coordination``.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from importlib import resources
from xml.sax.saxutils import escape  # escapes output, parses no XML  # nosec B406

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
_FONT_FILES = {FONT: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf"}


@dataclass(frozen=True)
class MinutesLabels:
    """Every fixed text of the minutes, translated by the caller.

    ``page`` holds the placeholder ``%(page)s``.
    """

    title: str
    date: str
    place: str
    status: str
    attending: str
    review: str
    agenda: str
    decisions: str
    case: str
    reasons: str
    action: str
    owner: str
    due: str
    none: str
    footer: str
    page: str
    # The full minutes (issue 16); empty where a caller does not print them.
    attendees: str = ""
    name: str = ""
    position: str = ""
    agency: str = ""
    chair: str = ""
    secretary: str = ""
    absent: str = ""
    discussion: str = ""


@dataclass(frozen=True)
class AgendaRow:
    reference: str
    reasons: str  #: the reasons, translated and joined
    #: What the committee said about the case (references only, never names).
    discussion: str = ""


@dataclass(frozen=True)
class AttendeeRow:
    """A person present: staff of an agency, named with their position."""

    name: str
    position: str
    agency: str


@dataclass(frozen=True)
class ActionRow:
    """A decision, or an earlier decision still open: who does what by when."""

    reference: str
    action: str
    owner: str  #: the owning agency's name (an agency, never a person)
    due: str  #: formatted date


@dataclass(frozen=True)
class Minutes:
    labels: MinutesLabels
    committee: str
    date: str  #: formatted date and time
    place: str
    status: str
    attending: list[str] = field(default_factory=list)
    #: Open decisions of earlier meetings, reviewed first.
    review: list[ActionRow] = field(default_factory=list)
    agenda: list[AgendaRow] = field(default_factory=list)
    decisions: list[ActionRow] = field(default_factory=list)
    attendees: list[AttendeeRow] = field(default_factory=list)
    chair: str = ""
    secretary: str = ""
    #: Agencies invited (serving the territory) that did not attend.
    absent: list[str] = field(default_factory=list)
    #: The agenda alone, printed before the meeting: no decisions, no notes.
    agenda_only: bool = False


def _register_fonts() -> None:
    registered = pdfmetrics.getRegisteredFontNames()
    for name, filename in _FONT_FILES.items():
        if name not in registered:
            data = resources.files("exports").joinpath("fonts", filename).read_bytes()
            pdfmetrics.registerFont(TTFont(name, io.BytesIO(data)))


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13, alignment=TA_LEFT)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=9, leading=11.5),
        "cell_head": ParagraphStyle("cell_head", parent=body, fontName=FONT_BOLD, fontSize=9,
                                    leading=11.5),
        "title": ParagraphStyle("title", parent=body, fontName=FONT_BOLD, fontSize=15,
                                leading=19, spaceAfter=2 * mm),
        "subtitle": ParagraphStyle("subtitle", parent=body, fontSize=11, leading=14,
                                   spaceAfter=3 * mm),
        "heading": ParagraphStyle("heading", parent=body, fontName=FONT_BOLD, fontSize=12,
                                  leading=15, spaceBefore=5 * mm, spaceAfter=2 * mm),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (escaped: reportlab reads a little markup)."""
    return Paragraph(escape(text), style)


def _table(head: list[str], rows: list[list[str]], widths: list[float], styles) -> Table:
    data = [[_p(text, styles["cell_head"]) for text in head]]
    data += [[_p(text, styles["small"]) for text in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT),  # tables set a cell font even for paragraphs
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef4")),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor("#b8c2cc")),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def _section(story: list, heading: str, table: Table | None, minutes: Minutes, styles) -> None:
    story.append(_p(heading, styles["heading"]))
    story.append(table if table is not None else _p(minutes.labels.none, styles["body"]))


def _people(story: list, minutes: Minutes, styles, width: float) -> None:
    """Chair, secretary, attendees by name and position, attending and absent agencies."""
    labels = minutes.labels
    if labels.chair:
        story.append(Spacer(1, 2 * mm))
        for label, value in ((labels.chair, minutes.chair),
                             (labels.secretary, minutes.secretary)):
            story.append(_p(f"{label}: {value or '—'}", styles["body"]))
    if labels.attendees:
        rows = [[a.name, a.position, a.agency] for a in minutes.attendees]
        _section(story, labels.attendees, _table(
            [labels.name, labels.position, labels.agency], rows,
            [0.3 * width, 0.3 * width, 0.4 * width], styles) if rows else None, minutes, styles)
    story.append(_p(labels.attending, styles["heading"]))
    story.append(_p("; ".join(minutes.attending) or labels.none, styles["body"]))
    if labels.absent:
        story.append(_p(labels.absent, styles["heading"]))
        story.append(_p("; ".join(minutes.absent) or labels.none, styles["body"]))


def _agenda(minutes: Minutes, styles, width: float) -> Table | None:
    if not minutes.agenda:
        return None
    labels = minutes.labels
    noted = any(row.discussion for row in minutes.agenda)
    if minutes.agenda_only or not labels.discussion or not noted:
        return _table([labels.case, labels.reasons],
                      [[row.reference, row.reasons] for row in minutes.agenda],
                      [0.2 * width, 0.8 * width], styles)
    return _table([labels.case, labels.reasons, labels.discussion],
                  [[row.reference, row.reasons, row.discussion] for row in minutes.agenda],
                  [0.2 * width, 0.3 * width, 0.5 * width], styles)


def render_minutes(minutes: Minutes) -> bytes:
    """The minutes as PDF bytes (A4, fonts embedded, the same bytes for the same data)."""
    _register_fonts()
    styles = _styles()
    labels = minutes.labels
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
        bottomMargin=20 * mm, title=labels.title, invariant=True,
        # Pages start in our font: no standard font the reader must have is referenced.
        initialFontName=FONT,
    )
    width = document.width
    action_widths = [0.19 * width, 0.4 * width, 0.25 * width, 0.16 * width]
    action_head = [labels.case, labels.action, labels.owner, labels.due]

    def action_rows(rows: list[ActionRow]):
        return [[r.reference, r.action, r.owner, r.due] for r in rows]

    story = [
        _p(labels.title, styles["title"]),
        _p(minutes.committee, styles["subtitle"]),
        Table(
            [[_p(label, styles["cell_head"]), _p(value, styles["body"])] for label, value in (
                (labels.date, minutes.date), (labels.place, minutes.place),
                (labels.status, minutes.status))],
            colWidths=[0.25 * width, 0.75 * width],
            style=TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT),
                              ("VALIGN", (0, 0), (-1, -1), "TOP"),
                              ("LEFTPADDING", (0, 0), (-1, -1), 0)]),
            hAlign="LEFT",
        ),
    ]
    if not minutes.agenda_only:
        _people(story, minutes, styles, width)
    _section(story, labels.review, _table(action_head, action_rows(minutes.review),
                                          action_widths, styles) if minutes.review else None,
             minutes, styles)
    _section(story, labels.agenda, _agenda(minutes, styles, width), minutes, styles)
    if not minutes.agenda_only:
        _section(story, labels.decisions, _table(action_head, action_rows(minutes.decisions),
                                                 action_widths, styles)
                 if minutes.decisions else None, minutes, styles)
    story.append(Spacer(1, 4 * mm))

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(colors.HexColor("#5b6474"))
        canvas.drawString(doc.leftMargin, 10 * mm, labels.footer)
        canvas.drawRightString(doc.leftMargin + doc.width, 10 * mm,
                               labels.page % {"page": doc.page})
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
