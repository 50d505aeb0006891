"""A :class:`~exports.report.Chart` as an inline SVG for the HTML report page.

The site's Content-Security-Policy forbids inline styles, so the drawing uses
presentation attributes only (``fill=``, ``stroke=``, ``font-size=``...): no
``style=`` attribute, no ``<style>`` and no ``<script>`` element. Every text
is XML-escaped. The chart's title is the accessible name (``aria-label`` and
``<title>``); the page prints it as its own heading. Suppressed values (None)
are gaps: no bar, a break in the line. Bars are the only ``<rect>`` elements.
Nothing here imports ``coordination``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape  # escapes output, parses no XML  # nosec B406

from babel.numbers import format_decimal

from exports.report import Chart

#: Okabe-Ito colours: told apart by readers with colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000",
           "#F0E442")
_INK = "#333333"
_GRID = "#d9dde3"
_FONT = "DejaVu Sans, Arial, sans-serif"
_FONT_SIZE = 11
_CHAR_WIDTH = 0.66 * _FONT_SIZE  #: rough width of a character, enough to plan the layout
_LABEL_MAX = 18  #: longer category labels are truncated, the full text in a <title>
_LEGEND_MAX = 40
_LEGEND_ROW = 18
_ANGLE = 35  #: degrees by which long category labels are turned
_SIN, _COS = math.sin(math.radians(_ANGLE)), math.cos(math.radians(_ANGLE))


@dataclass(frozen=True)
class _Plot:
    """The plotting area in SVG user units and the value scale."""

    left: float
    top: float
    width: float
    height: float
    low: float
    high: float

    def y(self, value: float) -> float:
        return self.top + self.height * (self.high - value) / (self.high - self.low)


def _attr(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def format_value(value: float, language: str = "en") -> str:
    """A value as printed on axes and tooltips, written the way of ``language``:
    grouped thousands, no trailing zeros, at most two decimals ("1 234,5" in
    Kyrgyz and Russian, "1,234.5" in English)."""
    return format_decimal(value, "#,##0.##", locale=language)


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values from at most ``low`` to at least ``high`` (steps 1, 2, 5 x 10^n)."""
    if high <= low:
        high = low + 1
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    if all(float(v).is_integer() for v in (low, high)):
        step = max(step, 1)  # counts: no tick at 0.5 people
    first = math.floor(low / step) * step
    ticks = [first]
    while ticks[-1] < high - 1e-9:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _text(x: float, y: float, text: str, *, anchor: str = "middle", size: int = _FONT_SIZE,
          extra: str = "", full: str | None = None) -> str:
    """A <text> element; ``full`` adds a <title> with the untruncated text."""
    title = f"<title>{escape(full)}</title>" if full is not None else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'fill="{_INK}"{extra}>{title}{escape(text)}</text>')


def _values(chart: Chart) -> list[float]:
    return [v for series in chart.series for v in series.values if v is not None]


def _labels_rotated(chart: Chart, plot_width: float) -> bool:
    slot = plot_width / max(len(chart.labels), 1)
    longest = max((len(_truncate(label, _LABEL_MAX)) for label in chart.labels), default=0)
    return longest * _CHAR_WIDTH > slot - 4


def _legend_places(chart: Chart, left: float, width: float) -> list[tuple[float, float]]:
    """Where each legend entry starts: in a row, wrapping to a new row at the right edge."""
    places, x, y = [], left, 20.0
    for series in chart.series:
        entry = 14 + len(_truncate(series.name, _LEGEND_MAX)) * _CHAR_WIDTH + 18
        if x > left and x + entry > width:
            x, y = left, y + _LEGEND_ROW
        places.append((x, y))
        x += entry
    return places


def _legend(chart: Chart, places: list[tuple[float, float]]) -> list[str]:
    """Swatches (paths, so that bars stay the only rects) and series names."""
    parts = []
    for index, (series, (x, y)) in enumerate(zip(chart.series, places, strict=True)):
        colour = PALETTE[index % len(PALETTE)]
        name = _truncate(series.name, _LEGEND_MAX)
        parts.append(f'<path d="M{x:.1f} {y - 9:.1f}h10v10h-10z" fill="{colour}"/>')
        parts.append(_text(x + 14, y, name, anchor="start",
                           full=series.name if name != series.name else None))
    return parts


def _grid(plot: _Plot, ticks: list[float], language: str) -> list[str]:
    parts = []
    right = plot.left + plot.width
    for tick in ticks:
        y = plot.y(tick)
        parts.append(f'<line x1="{plot.left:.1f}" y1="{y:.1f}" x2="{right:.1f}" y2="{y:.1f}" '
                     f'stroke="{_GRID}" stroke-width="1"/>')
        parts.append(_text(plot.left - 6, y + 4, format_value(tick, language), anchor="end"))
    base = plot.y(max(plot.low, 0))
    parts.append(f'<line x1="{plot.left:.1f}" y1="{base:.1f}" x2="{right:.1f}" y2="{base:.1f}" '
                 f'stroke="{_INK}" stroke-width="1"/>')
    return parts


def _category_labels(chart: Chart, plot: _Plot, rotated: bool) -> list[str]:
    slot = plot.width / max(len(chart.labels), 1)
    y = plot.top + plot.height + 16
    parts = []
    for index, label in enumerate(chart.labels):
        x = plot.left + slot * (index + 0.5)
        shown = _truncate(label, _LABEL_MAX)
        full = label if shown != label else None
        if rotated:
            parts.append(_text(x, y, shown, anchor="end", full=full,
                               extra=f' transform="rotate(-{_ANGLE} {x:.1f} {y:.1f})"'))
        else:
            parts.append(_text(x, y, shown, full=full))
    return parts


def _tooltip(chart: Chart, series_index: int, index: int, value: float) -> str:
    name = chart.series[series_index].name
    label = chart.labels[index] if index < len(chart.labels) else ""
    return f"<title>{escape(f'{label} — {name}: {format_value(value, chart.language)}')}</title>"


def _bars(chart: Chart, plot: _Plot) -> list[str]:
    slot = plot.width / max(len(chart.labels), 1)
    bar = slot * 0.8 / max(len(chart.series), 1)
    zero = plot.y(max(plot.low, 0))
    parts = []
    for s, series in enumerate(chart.series):
        colour = PALETTE[s % len(PALETTE)]
        for index, value in enumerate(series.values[:len(chart.labels)]):
            if value is None:
                continue  # suppressed: a gap, the table shows "<k"
            x = plot.left + slot * (index + 0.1) + bar * s
            y = plot.y(value)
            parts.append(f'<rect x="{x:.1f}" y="{min(y, zero):.1f}" width="{bar:.1f}" '
                         f'height="{abs(zero - y):.1f}" fill="{colour}">'
                         f'{_tooltip(chart, s, index, value)}</rect>')
    return parts


def _lines(chart: Chart, plot: _Plot) -> list[str]:
    slot = plot.width / max(len(chart.labels), 1)
    parts = []
    for s, series in enumerate(chart.series):
        colour = PALETTE[s % len(PALETTE)]
        path, pen_down, markers = [], False, []
        for index, value in enumerate(series.values[:len(chart.labels)]):
            if value is None:
                pen_down = False  # a break in the line where the value is suppressed
                continue
            x, y = plot.left + slot * (index + 0.5), plot.y(value)
            path.append(f"{'L' if pen_down else 'M'}{x:.1f} {y:.1f}")
            pen_down = True
            markers.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                           f'{_tooltip(chart, s, index, value)}</circle>')
        if path:
            parts.append(f'<path d="{" ".join(path)}" fill="none" stroke="{colour}" '
                         f'stroke-width="2" stroke-linejoin="round"/>')
        parts += markers
    return parts


def _plot_area(chart: Chart, ticks: list[float], width: int, height: int,
               legend_rows: int) -> tuple[_Plot, bool]:
    """The plotting area, leaving room for tick values, the legend and the labels."""
    left = 12 + max(len(format_value(t, chart.language)) for t in ticks) * _CHAR_WIDTH
    top = 12 + legend_rows * _LEGEND_ROW
    rotated = _labels_rotated(chart, width - left - 12)
    bottom = 24.0
    if rotated:
        longest = max(len(_truncate(label, _LABEL_MAX)) for label in chart.labels)
        bottom += longest * _CHAR_WIDTH * _SIN
        # The first label runs left from under its bar: keep it inside the picture.
        first = len(_truncate(chart.labels[0], _LABEL_MAX)) * _CHAR_WIDTH * _COS
        left = max(left, first - (width - left) / len(chart.labels) / 2 + 4)
    plot = _Plot(left=left, top=top, width=width - left - 12,
                 height=max(height - top - bottom, 20), low=ticks[0], high=ticks[-1])
    return plot, rotated


def render_svg(chart: Chart, width: int = 640, height: int = 320) -> str:
    """The chart as a self-contained ``<svg>`` element (a string, safe to insert as markup).

    A legend is drawn when there are several series.
    """
    values = _values(chart)
    ticks = nice_ticks(min(values + [0]), max(values + [0]))
    places = _legend_places(chart, 12, width - 12) if len(chart.series) > 1 else []
    legend_rows = len({y for _, y in places})
    plot, rotated = _plot_area(chart, ticks, width, height, legend_rows)
    body = _grid(plot, ticks, chart.language)
    body += _bars(chart, plot) if chart.kind == "bar" else _lines(chart, plot)
    body += _category_labels(chart, plot, rotated)
    if places:
        body += _legend(chart, places)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{_attr(chart.title)}" '
            f'font-family="{_FONT}">'
            f"<title>{escape(chart.title)}</title>{''.join(body)}</svg>")
