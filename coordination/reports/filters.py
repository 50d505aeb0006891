"""The report page's filter form: choices scoped to the user's territory."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField

from coordination.accounts.models import User
from coordination.extensions import db
from coordination.i18n import current_language
from coordination.local_dates import MONTH_PATTERN, format_month
from coordination.reports.request import BREAKDOWNS, ReportRequest
from coordination.territories.models import Territory, TerritoryLevel
from forms import QueryForm
from forms.fields import MultiCheckboxField, choices

#: A month typed the country's way (03.2026), not the browser's ``type=month``,
#: which names the months in the browser's language (coordination.local_dates).
MONTH_INPUT = {"type": "text", "autocomplete": "off", "data-date": "month"}


class ReportFilterForm(QueryForm):
    """Shown on the page; the values are checked by ``reports.request.parse``."""

    # Named as ``reports.request.parse`` reads them (the query's from and to).
    start = StringField(_l("From (month and year)"), render_kw=MONTH_INPUT, name="from")
    end = StringField(_l("To (month and year)"), render_kw=MONTH_INPUT, name="to")
    region = SelectField(_l("Region"), validate_choice=False)
    district = SelectField(_l("District"), validate_choice=False)
    table = MultiCheckboxField(_l("Breakdowns (none chosen: all)"), validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The macro shows the pattern beside the field (in the page's language).
        for month in (self.start, self.end):
            month.format_hint = MONTH_PATTERN
            month.render_kw = {**MONTH_INPUT, "placeholder": str(MONTH_PATTERN)}


#: The breakdowns' names in the filter, by table key.
BREAKDOWN_NAMES = {
    "cases": _l("By territory, against a year earlier"),
    "months": _l("By month"),
    "ytd": _l("Year to date"),
    "survivors": _l("Survivors by age and sex"),
    "forms": _l("By form of violence"),
    "relationship": _l("By relationship to the alleged perpetrator"),
    "police": _l("Survivors, incidents and orders by territory"),
    "police_sex": _l("Survivors, incidents and orders by the survivor's sex"),
    "rates": _l("Survivors per 10,000 population"),
    "referrals": _l("Referrals by agency type and outcome"),
    "response": _l("Answers to referrals by agency type"),
    "response_service": _l("Answers to referrals by service"),
    "reporters": _l("Who reported"),
    "lag": _l("Time from incident to registration"),
    "triage": _l("Time from an incoming report to the first action"),
    "repeat": _l("Repeat cases"),
    "closures": _l("Cases closed, by reason"),
    "programmes": _l("Correctional programmes"),
    "orders": _l("Protection orders"),
    "order_checks": _l("Checks of protection orders"),
    "flags": _l("Bride kidnapping, forced and early marriage"),
    "risk": _l("By risk level"),
    "overdue": _l("Overdue follow-ups"),
}


def _below(base: Territory, level: TerritoryLevel) -> list[Territory]:
    """Territories of ``level`` within ``base`` (itself included)."""
    if base.level == level:
        return [base]
    query = sa.select(Territory).where(Territory.level == level, Territory.active.is_(True))
    if base.level == TerritoryLevel.REGION:
        query = query.where(Territory.parent_id == base.id)
    elif base.level != TerritoryLevel.COUNTRY:
        return []
    return list(db.session.scalars(query.order_by(Territory.code)))


def form_for(user: User, report_request: ReportRequest) -> ReportFilterForm:
    """The filters filled with what the page shows."""
    lang = current_language()
    base = report_request.base
    regions = _below(base, TerritoryLevel.REGION)
    districts = _below(base, TerritoryLevel.DISTRICT)
    form = ReportFilterForm(formdata=None)
    form.start.data = format_month(report_request.start)
    form.end.data = format_month(report_request.last_month)
    form.region.choices = choices([("", "—"), *((t.code, t.name(lang)) for t in regions)])
    form.district.choices = choices([("", "—"), *((t.code, t.name(lang)) for t in districts)])
    chosen = report_request.territory
    form.region.data = (chosen.code if chosen.level == TerritoryLevel.REGION
                        else chosen.parent.code if chosen.level == TerritoryLevel.DISTRICT
                        and chosen.parent in regions else "")
    form.district.data = chosen.code if chosen.level == TerritoryLevel.DISTRICT else ""
    form.table.choices = choices((key, BREAKDOWN_NAMES[key]) for key in BREAKDOWNS)
    form.table.data = list(report_request.breakdowns)
    return form
