"""From the engine's counts to a :class:`exports.report.Report`.

Every number passes through :mod:`coordination.reports.disclosure` here, so
the page, the CSV, the XLSX and the PDF show exactly the same, suppressed
values. Texts are translated in the request's language.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from flask_babel import format_datetime, format_decimal, to_user_timezone
from flask_babel import gettext as _

from coordination.agencies.models import AgencyType
from coordination.cases.models import Relationship, RiskLevel, Sex, ViolenceForm
from coordination.i18n import current_language, month_label, ngettext
from coordination.models_base import utcnow
from coordination.order_checks.statistics import table as order_checks_table
from coordination.referrals.models import ReferralStatus
from coordination.reports import disclosure, engine
from coordination.reports.request import ReportRequest
from coordination.settings.services import get_setting
from exports.report import Cell, Chart, CoverLine, Report, Series, Table

#: Agency types that receive referrals and own follow-ups (not the ministry).
WORKING_TYPES = [t for t in AgencyType if t != AgencyType.MINISTRY]


def _number(value: float | int) -> str:
    return format_decimal(value, format="#,##0.#")


def _cell(value: int | float, hidden: bool, k: int) -> Cell:
    # Every hidden cell shows the same "<k", small or hidden to protect a small
    # one: a different mark for the second kind would tell which is which.
    if hidden:
        return Cell(None, f"<{k}", suppressed=True)
    return Cell(value, _number(value))


def _table(key: str, title: str, row_heading: str, rows: Sequence[str], columns: Sequence[str],
           counts: list[list[int]], k: int, note: str | None = None,
           row_dates: Sequence[date] | None = None) -> tuple[Table, object]:
    """A table of counts with row and column totals, through disclosure control."""
    result = disclosure.suppress_table(counts, k, columns=len(columns))
    total = _("Total")
    # A single column's row totals repeat its cells: they are left out.
    row_totals = len(columns) > 1
    body = []
    for r, label in enumerate(rows):
        cells = [_cell(counts[r][c], (r, c) in result.hidden, k) for c in range(len(columns))]
        if row_totals:
            cells.append(_cell(result.row_totals[r], r in result.hidden_row_totals, k))
        body.append((label, cells))
    totals = [_cell(result.column_totals[c], c in result.hidden_column_totals, k)
              for c in range(len(columns))]
    if row_totals:
        totals.append(_cell(result.grand_total, result.grand_total_hidden, k))
    body.append((total, totals))
    table = Table(key=key, title=title, row_heading=row_heading,
                  columns=[*columns, total] if row_totals else list(columns),
                  rows=body, has_totals=True, k=k, note=note,
                  row_dates=[*row_dates, None] if row_dates is not None else None)
    return table, result


def _list(key: str, title: str, row_heading: str, column: str,
          items: Sequence[tuple[str, int]], k: int) -> Table:
    """Counts that overlap (no total): each one on its own, primary suppression."""
    rows = []
    for label, count in items:
        hidden = bool(disclosure.suppress_table([[count]], k).hidden)
        rows.append((label, [_cell(count, hidden, k)]))
    return Table(key=key, title=title, row_heading=row_heading, columns=[column], rows=rows,
                 has_totals=False, k=k)


def _chart_from(table: Table, key: str, kind: str, columns: Sequence[int] = (0,),
                rows: slice = slice(None, -1)) -> Chart:
    """A chart of values already published in ``table`` (never others)."""
    body = table.rows[rows]
    return Chart(key=key, kind=kind, title=table.title, labels=[label for label, _ in body],
                 series=[Series(table.columns[c], [cells[c].value for _label, cells in body])
                         for c in columns], language=current_language())


def build(request: ReportRequest, today: date | None = None) -> tuple[Report, list[str]]:
    """The report for ``request``, and notes for the page (e.g. a coarser
    territory to look at when most district cells are suppressed)."""
    k = get_setting("suppression_k")
    k_sexual = get_setting("suppression_k_sexual_violence")
    lang = current_language()
    scope, units = request.scope, engine.units(request.territory)
    unit_names = [u.name(lang) for u in units]
    notes: list[str] = []
    tables: list[Table] = []

    now_counts = engine.cases_by_unit(scope)
    before = engine.cases_by_unit(request.previous_year())
    dashboard, result = _table(
        "cases", _("Registered cases: this period and the same period a year earlier"),
        _("Territory"), unit_names, [_("This period"), _("A year earlier")],
        [[now_counts.get(u.id, 0), before.get(u.id, 0)] for u in units], k)
    tables.append(dashboard)
    if len(units) > 1 and disclosure.mostly_suppressed(result):
        notes.append(_("Most cells are suppressed at this level; the territory above shows "
                       "more."))

    months = _months(request)
    by_month = engine.cases_by_month(scope)
    trend, _r = _table("months", _("Registered cases by month"), _("Month"),
                       [month_label(m) for m in months], [_("Cases")],
                       [[by_month.get((m.year, m.month), 0)] for m in months], k,
                       row_dates=months)
    tables.append(trend)

    forms = engine.forms_by_unit(scope)
    violence, _r = _table(
        "forms", _("Forms of violence (a case counts once for each form)"),
        _("Form of violence"), [f.label for f in ViolenceForm],
        unit_names, [[forms.get((f.value, u.id), 0) for u in units] for f in ViolenceForm],
        k_sexual, note=_("Includes sexual violence: cells below %(k)d are suppressed.",
                         k=k_sexual))
    tables.append(violence)

    ages = engine.survivors_by_age_and_sex(scope)
    bands = [band for band, _low, _high in engine.AGE_BANDS]
    tables.append(_table(
        "survivors", _("Survivors by age and sex"), _("Age"), bands,
        [s.label for s in Sex],
        [[ages.get((b, s.value), 0) for s in Sex] for b in bands], k)[0])

    kin = engine.relationship_by_perpetrator_sex(scope)
    tables.append(_table(
        "relationship", _("Who the alleged perpetrator is to the survivor, by the alleged "
                          "perpetrator's sex"), _("Relationship"),
        [r.label for r in Relationship],
        [s.label for s in Sex],
        [[kin.get((r.value, s.value), 0) for s in Sex] for r in Relationship], k)[0])

    tables.extend(_referral_tables(scope, k))
    tables.append(_safety_table(scope, k))
    tables.append(order_checks_table(scope, units, unit_names, k))
    tables.extend(_risk_and_work_tables(scope, k, today or utcnow().date()))

    charts = [
        _chart_from(dashboard, "cases-chart", "bar", columns=(0, 1)),
        _chart_from(trend, "months-chart", "line"),
        _chart_from(violence, "forms-chart", "bar", columns=(len(violence.columns) - 1,)),
    ]
    if request.breakdowns:  # only the breakdowns asked for, and their charts
        tables = [t for t in tables if t.key in request.breakdowns]
        charts = [c for c in charts if c.key.removesuffix("-chart") in request.breakdowns]
    return Report(title=_("Anonymized statistics on family violence"),
                  cover=_cover(request, k, k_sexual, lang), tables=tables, charts=charts,
                  language=lang), notes


def _months(request: ReportRequest) -> list[date]:
    months, day = [], request.start
    while day < request.end:
        months.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return months


def _referral_tables(scope, k: int) -> list[Table]:
    counts = engine.referrals_by_agency_type_and_status(scope)
    statuses = list(ReferralStatus)
    table, _r = _table(
        "referrals", _("Referrals sent in the period, by receiving agency type and outcome"),
        _("Receiving agency"), [t.label for t in WORKING_TYPES],
        [s.label for s in statuses],
        [[counts.get((t.value, s.value), 0) for s in statuses] for t in WORKING_TYPES], k)
    medians = engine.response_hours_by_agency_type(scope)
    rows = []
    for agency_type in WORKING_TYPES:
        median, n = medians.get(agency_type.value, (None, 0))
        shown = disclosure.suppress_median(median, n, k)
        shown = round(shown, 1) if shown is not None else None  # every output: one decimal
        cell = (Cell(None, f"<{k}", suppressed=True) if median is not None and shown is None
                else Cell(shown, _number(shown)) if shown is not None else Cell(None, "—"))
        rows.append((agency_type.label, [cell]))
    response = Table("response", _("Median hours from sending a referral to its answer"),
                     _("Receiving agency"), [_("Hours")], rows, has_totals=False, k=k,
                     note=ngettext("A median based on fewer than %(num)s answer is not shown.",
                                   "A median based on fewer than %(num)s answers is not shown.",
                                   k))
    return [table, response]


def _safety_table(scope, k: int) -> Table:
    counts = engine.indicators(scope)
    names: dict[str, Callable[[], str]] = {
        "temporary_orders": lambda: _("Temporary protection orders issued"),
        "extended_orders": lambda: _("Temporary protection orders extended"),
        "court_orders": lambda: _("Court restrictions recorded"),
        "monitored_orders": lambda: _("Orders with electronic monitoring"),
        "violations": lambda: _("Violations of protection orders"),
        "programmes_started": lambda: _("Correctional programmes started"),
        "programmes_completed": lambda: _("Correctional programmes completed"),
        "repeat_cases": lambda: _("Repeat cases"),
        "bride_kidnapping": lambda: _("Cases with bride kidnapping (ala kachuu)"),
        "forced_marriage": lambda: _("Cases with forced marriage"),
        "early_marriage": lambda: _("Cases with early marriage"),
    }
    return _list("safety", _("Protection orders, programmes, repeat cases and marriage flags"),
                 _("Indicator"), _("Number"),
                 [(name(), counts[key]) for key, name in names.items()], k)


def _risk_and_work_tables(scope, k: int, today: date) -> list[Table]:
    risk = engine.cases_by_risk(scope)
    levels = [*RiskLevel, None]
    risk_table, _r = _table(
        "risk", _("Registered cases by current risk level"), _("Risk level"),
        [r.label if r else _("Not assessed") for r in levels],
        [_("Cases")], [[risk.get(r.value if r else None, 0)] for r in levels], k)
    overdue = engine.overdue_follow_ups_by_agency_type(scope, today)
    overdue_table, _r = _table(
        "overdue", _("Overdue follow-ups today, by owning agency type"), _("Agency"),
        [t.label for t in WORKING_TYPES], [_("Overdue")],
        [[overdue.get(t.value, 0)] for t in WORKING_TYPES], k)
    return [risk_table, overdue_table]


def _cover(request: ReportRequest, k: int, k_sexual: int, lang: str) -> list[CoverLine]:
    period = _("%(start)s – %(end)s", start=month_label(request.start),
               end=month_label(request.last_month))
    produced = utcnow()
    return [
        # CSV writes the period and the time as ISO 8601, the rest as people read it.
        CoverLine(_("Period"), period, f"{request.start:%Y-%m}/{request.last_month:%Y-%m}"),
        CoverLine(_("Territory"), request.territory.name(lang)),
        CoverLine(_("Smallest count shown (k)"),
                  _("%(k)d; %(k_sexual)d for breakdowns of sexual violence", k=k,
                    k_sexual=k_sexual)),
        CoverLine(_("Anonymization"), _(
            "Anonymized: counts of cases only, never names, reference numbers, dates or "
            "anything about one person. “<k” marks a count from 1 to k-1, or a cell hidden "
            "so that such a count cannot be recomputed from the totals. Survivors who "
            "withheld consent to statistics are not counted.")),
        CoverLine(_("Produced"), format_datetime(produced, "short"),
                  to_user_timezone(produced).isoformat(timespec="minutes")),
    ]
