"""From the statistics layer to a :class:`exports.report.Report`.

Every count is read from the statistics layer (``coordination.statistics.query``)
and published through ``coordination.statistics.protection``, here and only
here, so the page, the CSV, the XLSX, the PDF, the charts and the API show
exactly the same figures. Each table names its unit and its date basis.
Texts are translated in the request's language.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _

from coordination.agencies.models import NOT_CASE_WORKING, AgencyType
from coordination.cases.models import (
    ClosureReason,
    Relationship,
    Reporter,
    RiskLevel,
    Sex,
    ViolenceForm,
)
from coordination.i18n import current_language, month_label, ngettext
from coordination.programmes.models import ProgrammeStatus
from coordination.protection.models import OrderKind
from coordination.referrals.models import ReferralService, ReferralStatus
from coordination.reports import cover, territories
from coordination.reports.request import ReportRequest
from coordination.statistics import codes, protection, query
from coordination.statistics.models import NOT_RECORDED
from coordination.statistics.protection import Protection
from coordination.statistics.query import Group, Scope
from coordination.statistics.records import REPORT_FIRST_ACTION_HOURS
from coordination.triage.models import ReportSource
from exports.report import Cell, Chart, Report, Series, Table

#: Agency types that receive referrals and own follow-ups (not the ministry, no court).
WORKING_TYPES = [t for t in AgencyType if t not in NOT_CASE_WORKING]
EMPTY: Group = (0, 0)
DASH = Cell(None, "—")


def _number(value: float | int) -> str:
    return _formatted(value, current_language())


@lru_cache(maxsize=4096)
def _formatted(value: float | int, _language: str) -> str:
    # Keyed by the language: the same figures recur in every table and report.
    return format_decimal(value, format="#,##0.#")


@dataclass
class Context:
    """What every table of one report shares."""

    request: ReportRequest
    scope: Scope
    protection: Protection
    units: list  #: the territorial breakdown's columns (Territory)
    unit_names: list[str]
    language: str = "ky"

    def cell(self, group: Group, k: int | None = None) -> tuple[Cell, int | None]:
        """A published count and its value (None when shown as "<k")."""
        k = k or self.protection.k
        published = protection.publish(group, k, self.protection)
        if published.hidden:
            return Cell(None, f"<{k}", suppressed=True), None
        return (Cell(published.value, _formatted(published.value, self.language)),
                published.value)


def _label(code: str, members: dict[str, str]) -> str:
    return _("Not recorded") if code == NOT_RECORDED else members.get(code, code)


def _labels(enum_cls) -> dict[str, str]:
    return {member.value: member.label for member in enum_cls}


def _note(unit: str, basis: str, extra: str | None = None) -> str:
    text = _("Unit: %(unit)s. Date: %(basis)s.", unit=unit, basis=basis)
    return f"{text} {extra}" if extra else text


def crosstab(context: Context, key: str, title: str, row_heading: str,
             rows: Sequence[tuple[str, str]], columns: Sequence[tuple[str, str]],
             groups: dict[tuple, Group], note: str, k: int | None = None,
             extra_rows: Sequence[tuple[str, dict[str, Group]]] = ()) -> Table:
    """Rows x columns of counts with their totals, each total a cell of its own.

    ``groups`` maps (row code, column code) to a group; the totals are the
    unions of their groups (counts and key sums add up), perturbed on their
    own. ``extra_rows`` (a subtotal, say) come before the totals row.
    """
    totals_column = len(columns) > 1
    body = []
    for row_code, label in rows:
        line = [groups.get((row_code, column), EMPTY) for column, _n in columns]
        cells = [context.cell(group, k)[0] for group in line]
        if totals_column:
            cells.append(context.cell(query.add(*line), k)[0])
        body.append((label, cells))
    for label, by_column in extra_rows:
        line = [by_column.get(column, EMPTY) for column, _n in columns]
        cells = [context.cell(group, k)[0] for group in line]
        if totals_column:
            cells.append(context.cell(query.add(*line), k)[0])
        body.append((label, cells))
    column_totals = [query.add(*(groups.get((row, column), EMPTY) for row, _l in rows))
                     for column, _n in columns]
    totals = [context.cell(group, k)[0] for group in column_totals]
    if totals_column:
        totals.append(context.cell(query.add(*column_totals), k)[0])
    body.append((_("Total"), totals))
    names = [name for _c, name in columns]
    return Table(key=key, title=title, row_heading=row_heading,
                 columns=[*names, _("Total")] if totals_column else names, rows=body,
                 has_totals=True, k=k or context.protection.k, note=note)


def listing(context: Context, key: str, title: str, row_heading: str, column: str,
            items: Sequence[tuple[str, Group]], note: str) -> Table:
    """Counts that overlap (no total), each published on its own."""
    return Table(key=key, title=title, row_heading=row_heading, columns=[column],
                 rows=[(label, [context.cell(group)[0]]) for label, group in items],
                 has_totals=False, k=context.protection.k, note=note)


def _territory_groups(context: Context, unit: str, by: tuple[str, ...] = (),
                      **equal) -> dict[tuple, Group]:
    return query.counts(unit, context.scope, ("territory", *by), **equal)


def _unit_rows(context: Context) -> list[tuple[int, str]]:
    return [(u.id, name) for u, name in zip(context.units, context.unit_names, strict=True)]


# --- The tables ----------------------------------------------------------------------


def _change(now: int | None, before: int | None) -> Cell:
    """The change between two published counts (never from hidden ones)."""
    if now is None or before is None:
        return DASH
    difference = now - before
    text = f"{difference:+d}"
    if before:
        text += f" ({format_percent(difference / before, '+#,##0%')})"
    return Cell(None, text)  # a text: the difference with its percentage


def year_on_year(context: Context) -> Table:
    """Registered cases, this period and the same months a year earlier."""
    earlier = context.request.previous_year_scope()
    now = query.counts("case", context.scope, ("territory",))
    before = query.counts("case", earlier, ("territory",))
    body = []
    for unit_id, name in [*_unit_rows(context), (None, _("Total"))]:
        if unit_id is None:
            this, that = query.add(*now.values()), query.add(*before.values())
        else:
            this, that = now.get((unit_id,), EMPTY), before.get((unit_id,), EMPTY)
        (this_cell, this_value), (that_cell, that_value) = context.cell(this), context.cell(that)
        body.append((name, [this_cell, that_cell, _change(this_value, that_value)]))
    return Table("cases", _("Registered cases: this period and the same months a year earlier"),
                 _("Territory"), [_("This period"), _("A year earlier"), _("Change")], body,
                 has_totals=True, k=context.protection.k,
                 note=_note(_("case"), _("registration"),
                            _("The two periods are shown side by side, never added up.")))


def months_table(context: Context) -> Table:
    cases = query.counts("case", context.scope, ("month",))
    survivors = query.counts("survivor", context.scope, ("month",))
    months = context.request.months()
    groups = {}
    for day in months:
        code = codes.month_of(day)
        groups[(str(code), "case")] = cases.get((code,), EMPTY)
        groups[(str(code), "survivor")] = survivors.get((code,), EMPTY)
    table = crosstab(context, "months", _("Registered cases and their survivors by month"),
                     _("Month"), [(str(codes.month_of(d)), month_label(d)) for d in months],
                     [("case", _("Cases")), ("survivor", _("Survivors"))], groups,
                     _note(_("case; survivor (a person)"), _("registration of the case"),
                           _("Months are those of Bishkek time.")))
    # The totals column would add cases and survivors: only the two columns stay.
    rows = [(label, cells[:2]) for label, cells in table.rows]
    return Table(table.key, table.title, table.row_heading, table.columns[:2], rows,
                 has_totals=True, k=table.k, note=table.note, row_dates=[*months, None])


def year_to_date(context: Context) -> Table:
    """January to the period's last month, against the same months a year earlier."""
    last = context.request.last_month
    body = []
    scopes = (Scope(context.scope.territory, last.year * 100 + 1, codes.month_of(last)),
              Scope(context.scope.territory, (last.year - 1) * 100 + 1,
                    codes.month_of(last) - 100))
    for unit, name in (("case", _("Cases")), ("survivor", _("Survivors"))):
        (now_cell, now), (then_cell, then) = (
            context.cell(query.add(*query.counts(unit, scope).values())) for scope in scopes)
        body.append((name, [now_cell, then_cell, _change(now, then)]))
    return Table("ytd", _("Year to date, against the same months a year earlier"),
                 _("Registered"), [str(last.year), str(last.year - 1), _("Change")], body,
                 has_totals=False, k=context.protection.k,
                 note=_note(_("case; survivor (a person)"), _("registration of the case"),
                            _("From January to the period's last month, in both years.")))


def survivors_table(context: Context) -> Table:
    groups = {(band, sex): group for (band, sex), group in
              query.counts("survivor", context.scope, ("age_band", "sex")).items()}
    bands = [(code, _("%(band)s (minors)", band=code) if code in codes.MINOR_BANDS else code)
             for code, _low, _high in codes.AGE_BANDS] + [(NOT_RECORDED, _("Not recorded"))]
    return crosstab(context, "survivors", _("Survivors by age and sex"), _("Age"), bands,
                    [(s.value, s.label) for s in Sex], groups,
                    _note(_("survivor (a person: every survivor of the case, children "
                            "included)"), _("registration of the case"),
                          _("Age in whole years at the registration.")))


def forms_table(context: Context) -> Table:
    k = context.protection.k_sexual
    forms = _territory_groups(context, "form", ("form",))
    incidents = _territory_groups(context, "incident")
    groups = {(form, unit): group for (unit, form), group in forms.items()}
    rows = [(f.value, f.label) for f in ViolenceForm] + [(NOT_RECORDED, _("Not recorded"))]
    table = crosstab(context, "forms", _("Incidents by form of violence"),
                     _("Form of violence"), rows,
                     [(u, n) for u, n in _unit_rows(context)], groups,
                     _note(_("incident"), _("the day the incident occurred"),
                           _("An incident with several forms counts under each; the total "
                             "counts each incident once. Includes sexual violence: counts "
                             "below %(k)d are shown as “<%(k)d”.", k=k)), k=k)
    # The totals are incidents, not mentions of forms.
    totals = [incidents.get((unit,), EMPTY) for unit, _n in _unit_rows(context)]
    cells = [context.cell(group, k)[0] for group in totals]
    if len(totals) > 1:
        cells.append(context.cell(query.add(*totals), k)[0])
    rows_ = [*table.rows[:-1], (_("Incidents"), cells)]
    return Table(table.key, table.title, table.row_heading, table.columns, rows_,
                 has_totals=True, k=k, note=table.note)


def relationship_table(context: Context) -> Table:
    groups = query.counts("case", context.scope, ("relationship", "perpetrator_sex"))
    intimate = query.counts("case", context.scope, ("perpetrator_sex",), intimate="y")
    rows = [(r.value, r.label) for r in Relationship] + [(NOT_RECORDED, _("Not recorded"))]
    columns = [(s.value, s.label) for s in Sex] + [(NOT_RECORDED, _("Not recorded"))]
    return crosstab(
        context, "relationship",
        _("Who the alleged perpetrator is to the survivor, by the alleged perpetrator's sex"),
        _("Relationship"), rows, columns, groups,
        _note(_("case"), _("registration"),
              _("The first alleged perpetrator recorded on the case.")),
        extra_rows=[(_("Of these, an intimate partner (spouse, former spouse, partner)"),
                     {sex: group for (sex,), group in intimate.items()})])


def police_series(context: Context) -> list[Table]:
    """Survivors beside incidents and protection orders, as the police publish them."""
    series = (("survivor", {}, _("Survivors")), ("incident", {}, _("Incidents")),
              ("order", {"outcome": OrderKind.TEMPORARY.value},
               _("Temporary protection orders issued")),
              ("extension", {}, _("Orders extended")), ("violation", {}, _("Order violations")))
    by_unit = {name: _territory_groups(context, unit, **equal) for unit, equal, name in series}
    by_sex = {name: query.counts(unit, context.scope, ("sex",), **equal)
              for unit, equal, name in series}
    names = [name for _u, _e, name in series]
    note = _note(_("survivor; incident; order; extension; violation"),
                 _("registration of the case; the incident; the issue; the extension; the "
                   "violation"),
                 _("The figures overlap and are not added across."))

    def table(key, title, heading, rows, source):
        body = []
        for code, label in rows:
            body.append((label, [context.cell(source[name].get((code,), EMPTY))[0]
                                 for name in names]))
        body.append((_("Total"), [context.cell(query.add(*source[name].values()))[0]
                                  for name in names]))
        return Table(key, title, heading, names, body, has_totals=True, k=context.protection.k,
                     note=note)

    sexes = [(s.value, s.label) for s in Sex] + [(NOT_RECORDED, _("Not recorded"))]
    return [table("police", _("Survivors, incidents and protection orders by territory"),
                  _("Territory"), _unit_rows(context), by_unit),
            table("police_sex", _("Survivors, incidents and protection orders by the "
                                  "survivor's sex"), _("Survivor's sex"), sexes, by_sex)]


def rates_table(context: Context, population: dict[tuple[int, str], int] | None) -> Table:
    """Survivors per 10,000 population of the same sex, where the figures exist."""
    groups = query.counts("survivor", context.scope, ("territory", "sex"))
    body = []
    for unit_id, name in _unit_rows(context):
        cells = []
        for sex in (*Sex, None):
            count = (query.add(*(g for (u, s), g in groups.items() if u == unit_id))
                     if sex is None else groups.get((unit_id, sex.value), EMPTY))
            people = territories.population(population, unit_id, sex)
            cells.append(_rate(context, count, people))
        body.append((name, cells))
    return Table("rates", _("Survivors per 10,000 population"), _("Territory"),
                 [*(s.label for s in Sex), _("All")], body, has_totals=False,
                 k=context.protection.k,
                 note=_note(_("survivor (a person)"), _("registration of the case"),
                            _("Population of %(year)d; “—” where no population figure is "
                              "entered. Rates are computed from the published counts.",
                              year=context.request.last_month.year)))


def _rate(context: Context, count: Group, people: int | None) -> Cell:
    cell, value = context.cell(count)
    if value is None:
        return cell
    if not people:
        return DASH
    rate = round(value * 10000 / people, 1)
    return Cell(rate, _number(rate))


def referral_tables(context: Context) -> list[Table]:
    groups = query.counts("referral", context.scope, ("agency_type", "outcome"))
    types = [(t.value, t.label) for t in WORKING_TYPES]
    outcomes = [(s.value, s.label) for s in ReferralStatus]
    sent = crosstab(context, "referrals",
                    _("Referrals sent, by receiving agency type and outcome"),
                    _("Receiving agency"), types, outcomes, groups,
                    _note(_("referral"), _("sending"),
                          _("The outcome is the referral's status today.")))
    return [sent, _response(context, "response", "agency_type", types,
                            _("Answers to referrals by receiving agency type")),
            _response(context, "response_service", "service",
                      [(s.value, s.label) for s in ReferralService],
                      _("Answers to referrals by service"))]


def _response(context: Context, key: str, by: str, rows, title: str) -> Table:
    hours = query.medians("referral", context.scope, by, "tenths")
    answered = query.counts("referral", context.scope, (by, "in_time"))
    body = []
    for code, label in rows:
        total = query.add(answered.get((code, "y"), EMPTY), answered.get((code, "n"), EMPTY))
        count_cell, count = context.cell(total)
        on_time_cell, on_time = context.cell(answered.get((code, "y"), EMPTY))
        median = hours.get(code) if count else None
        median_cell = (Cell(round(median / 10, 1), _number(round(median / 10, 1)))
                       if median is not None else count_cell if count is None else DASH)
        share = (Cell(round(100 * on_time / count, 1), _number(round(100 * on_time / count, 1)))
                 if count and on_time is not None else DASH)
        body.append((label, [count_cell, median_cell, share]))
    return Table(key, title, _("Receiving agency") if by == "agency_type" else _("Service"),
                 [_("Answered"), _("Median hours to the answer"),
                  _("Answered within the deadline, %")], body, has_totals=False,
                 k=context.protection.k,
                 note=_note(_("referral answered"), _("sending"), " ".join((
                     ngettext("A median based on fewer than %(num)s answer is not shown.",
                              "A median based on fewer than %(num)s answers is not shown.",
                              context.protection.k),
                     _("The median is the middle value (the mean of the two middle values "
                       "for an even number), to a tenth of an hour.")))))


def reporters_table(context: Context) -> Table:
    groups = {(code, "n"): g for (code,), g in
              query.counts("incident", context.scope, ("reporter",)).items()}
    rows = [(r.value, r.label) for r in Reporter]
    return crosstab(context, "reporters", _("Who reported the incidents"), _("Reported by"),
                    rows, [("n", _("Incidents"))], groups,
                    _note(_("incident"), _("the day the incident occurred"),
                          _("Calls to 102/112 and the 117 hotline are shown apart.")))


def lag_table(context: Context) -> Table:
    groups = {(code, "n"): g for (code,), g in
              query.counts("case", context.scope, ("lag",)).items()}
    rows = [(code, _("%(band)s days", band=code)) for code, _m in codes.LAG_BANDS]
    rows.append((NOT_RECORDED, _("Not recorded")))
    return crosstab(context, "lag", _("Time from the incident to the registration of the case"),
                    _("Time"), rows, [("n", _("Cases"))], groups,
                    _note(_("case"), _("registration"),
                          _("From the latest incident on or before the registration day.")))


def triage_table(context: Context) -> Table:
    """Incoming reports by source: how many, how many had their first triage
    decision, the median time to it and the share within the deadline."""
    groups = query.counts("report", context.scope, ("in_time", "reporter"))
    hours = query.medians("report", context.scope, "reporter", "tenths")
    body = []
    for source in ReportSource:
        code = source.value
        received_cell, _received = context.cell(query.add(
            *(g for (_flag, by), g in groups.items() if by == code)))
        acted = query.add(groups.get(("y", code), EMPTY), groups.get(("n", code), EMPTY))
        acted_cell, acted_count = context.cell(acted)
        median = hours.get(code) if acted_count else None
        median_cell = (Cell(round(median / 10, 1), _number(round(median / 10, 1)))
                       if median is not None else acted_cell if acted_count is None else DASH)
        body.append((source.label, [received_cell, acted_cell, median_cell,
                                    _share_cell(context, groups.get(("y", code), EMPTY),
                                                acted)]))
    return Table("triage", _("Time from an incoming report to the first action"),
                 _("Source"), [_("Reports received"), _("Acted on"),
                               _("Median hours to the first action"),
                               _("Acted on within %(hours)d hours, %%",
                                 hours=REPORT_FIRST_ACTION_HOURS)], body, has_totals=False,
                 k=context.protection.k,
                 note=_note(_("incoming report"), _("receipt"), " ".join((
                     _("The first action is the triage decision: a new case, an attachment "
                       "to a case or a closing with a reason."),
                     _("A share or median resting on a figure shown as “<k” is not "
                       "shown.")))))


def repeat_table(context: Context) -> Table:
    groups = query.counts("case", context.scope, ("repeat",))
    repeat_cell, repeat = context.cell(groups.get(("y",), EMPTY))
    total_cell, total = context.cell(query.add(*groups.values()))
    share = (Cell(round(100 * repeat / total, 1), _number(round(100 * repeat / total, 1)))
             if repeat is not None and total else DASH)
    return Table("repeat", _("Repeat cases"), _("Cases"), [_("Number"), _("Share, %")],
                 [(_("Repeat cases"), [repeat_cell, share]), (_("All cases"), [total_cell, DASH])],
                 has_totals=False, k=context.protection.k,
                 note=_note(_("case"), _("registration"),
                            _("A repeat case is one registered for a survivor already known "
                              "to the system.")))


def outcome_tables(context: Context) -> list[Table]:
    closures = {(code, "n"): g for (code,), g in
                query.counts("closure", context.scope, ("outcome",)).items()}
    reasons = [(r.value, r.label) for r in ClosureReason] + [(NOT_RECORDED, _("Not recorded"))]
    closed = crosstab(context, "closures", _("Cases closed, by reason"), _("Reason"), reasons,
                      [("n", _("Cases"))], closures, _note(_("case"), _("closing")))
    ended = query.counts("programme_end", context.scope, ("outcome",))
    programmes = listing(
        context, "programmes", _("Correctional programmes"), _("Programmes"), _("Number"),
        [(_("Started"), query.add(*query.counts("programme_start", context.scope).values())),
         (_("Completed"), ended.get((ProgrammeStatus.COMPLETED.value,), EMPTY)),
         (_("Dropped out"), ended.get((ProgrammeStatus.DROPPED_OUT.value,), EMPTY))],
        _note(_("programme"), _("start; end")))
    return [closed, programmes]


def orders_table(context: Context) -> Table:
    orders = query.counts("order", context.scope, ("outcome",))
    monitored = query.counts("order", context.scope, monitored="y")
    return listing(
        context, "orders", _("Protection orders"), _("Orders"), _("Number"),
        [(_("Temporary protection orders issued"),
          orders.get((OrderKind.TEMPORARY.value,), EMPTY)),
         (_("Court restrictions recorded"), orders.get((OrderKind.COURT.value,), EMPTY)),
         (_("Orders extended"), query.add(*query.counts("extension", context.scope).values())),
         (_("Orders with electronic monitoring"), query.add(*monitored.values())),
         (_("Violations of protection orders"),
          query.add(*query.counts("violation", context.scope).values()))],
        _note(_("order; extension; violation"), _("issue; extension; violation")))


def _share_cell(context: Context, part: Group, whole: Group, per: int = 100) -> Cell:
    """A rate from two published counts; withheld when either is "<k"."""
    (_part_cell, part_value), (_whole_cell, whole_value) = (context.cell(part),
                                                            context.cell(whole))
    if whole_value is None or part_value is None:
        return Cell(None, f"<{context.protection.k}", suppressed=True)
    if not whole_value:
        return DASH
    value = round(per * part_value / whole_value, 1)
    return Cell(value, _number(value))


def order_checks_table(context: Context) -> Table:
    """How the orders issued in the period were watched, by territorial unit."""
    orders = _territory_groups(context, "order", ("in_time",))
    checks = _territory_groups(context, "check", ("in_time",))
    breaches = _territory_groups(context, "violation")
    responded = _territory_groups(context, "violation", in_time="y")
    response_hours = query.medians("violation", context.scope, "territory", "tenths")
    rows = []
    for unit_id, name in _unit_rows(context):
        issued = query.add(*(g for (u, _f), g in orders.items() if u == unit_id))
        recorded = query.add(*(g for (u, _f), g in checks.items() if u == unit_id))
        answered_cell, answered = context.cell(responded.get((unit_id,), EMPTY))
        median = response_hours.get(unit_id) if answered else None
        rows.append((name, [
            context.cell(issued)[0],
            _share_cell(context, orders.get((unit_id, "y"), EMPTY), issued),
            _share_cell(context, checks.get((unit_id, "y"), EMPTY), recorded),
            _share_cell(context, breaches.get((unit_id,), EMPTY), issued),
            Cell(round(median / 10, 1), _number(round(median / 10, 1))) if median is not None
            else answered_cell if answered is None else DASH]))
    return Table("order_checks", _("Checks of protection orders"), _("Territory"),
                 [_("Orders issued"), _("Orders checked on schedule, %"),
                  _("Checks on time, %"), _("Breaches per 100 orders"),
                  _("Median hours from breach to response")], rows, has_totals=False,
                 k=context.protection.k,
                 note=_note(_("order; check; violation"),
                            _("the order's issue; the violation"),
                            _("A share or median resting on a figure shown as “<k” is not "
                              "shown.")))


def flags_table(context: Context) -> Table:
    flags = query.counts("flag", context.scope, ("form",))
    names = {"bride_kidnapping": _("Bride kidnapping (ala kachuu)"),
             "forced_marriage": _("Forced marriage"), "early_marriage": _("Early marriage")}
    return listing(context, "flags", _("Incidents with bride kidnapping, forced or early "
                                       "marriage"), _("Incidents"), _("Number"),
                   [(name, flags.get((code,), EMPTY)) for code, name in names.items()],
                   _note(_("incident"), _("the day the incident occurred")))


def risk_table(context: Context) -> Table:
    groups = {(code, "n"): g for (code,), g in
              query.counts("case", context.scope, ("risk",)).items()}
    rows = [(r.value, r.label) for r in RiskLevel] + [(NOT_RECORDED, _("Not assessed"))]
    return crosstab(context, "risk", _("Registered cases by current risk level"),
                    _("Risk level"), rows, [("n", _("Cases"))], groups,
                    _note(_("case"), _("registration")))


def overdue_table(context: Context, today: date) -> Table:
    groups = {(code, "n"): g for (code,), g in
              query.counts("open_follow_up", context.scope, ("agency_type",), period=False,
                           before_month=codes.month_of(today)).items()}
    return crosstab(context, "overdue", _("Open follow-ups whose due month has ended, by "
                                          "owning agency type"), _("Agency"),
                    [(t.value, t.label) for t in WORKING_TYPES], [("n", _("Follow-ups"))],
                    groups, _note(_("open follow-up"), _("today (a snapshot)")))


# --- The report --------------------------------------------------------------------------


def _chart_from(table: Table, key: str, kind: str, columns: Sequence[int] = (0,)) -> Chart:
    """A chart of values already published in ``table`` (never others)."""
    body = table.rows[:-1] if table.has_totals else table.rows
    return Chart(key=key, kind=kind, title=table.title, labels=[label for label, _ in body],
                 series=[Series(table.columns[c], [cells[c].value for _label, cells in body])
                         for c in columns], language=current_language())


def build(request: ReportRequest, today: date) -> tuple[Report, list[str]]:
    """The report for ``request`` and notes for the page."""
    lang = current_language()
    units = territories.units(request.territory)
    context = Context(request, request.scope(), protection.current(), units,
                      [u.name(lang) for u in units], lang)
    dashboard = year_on_year(context)
    trend = months_table(context)
    violence = forms_table(context)
    tables = [dashboard, trend, year_to_date(context), survivors_table(context), violence,
              relationship_table(context), *police_series(context),
              rates_table(context, territories.population_for(units, request.last_month.year)),
              *referral_tables(context), reporters_table(context), lag_table(context),
              triage_table(context),
              repeat_table(context), *outcome_tables(context), orders_table(context),
              order_checks_table(context),
              flags_table(context), risk_table(context), overdue_table(context, today)]
    charts = [_chart_from(dashboard, "cases-chart", "bar", columns=(0, 1)),
              _chart_from(trend, "months-chart", "line", columns=(0, 1)),
              _chart_from(violence, "forms-chart", "bar", columns=(len(violence.columns) - 1,))]
    if request.breakdowns:
        tables = [t for t in tables if t.key in request.breakdowns]
        charts = [c for c in charts if c.key.removesuffix("-chart") in request.breakdowns]
    notes = []
    if len(units) > 1 and _mostly_hidden(dashboard):
        notes.append(_("Most cells are shown as “<k” at this level; the territory above shows "
                       "more."))
    return Report(title=_("Anonymized statistics on family violence"),
                  cover=cover.lines(request, context.protection, lang), tables=tables,
                  charts=charts, language=lang), notes


def _mostly_hidden(table: Table) -> bool:
    cells = [cells[0] for _label, cells in table.rows[:-1]]
    return sum(cell.suppressed for cell in cells) * 2 > len(cells)
