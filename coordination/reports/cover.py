"""The metadata every output carries: period, territory, data as of,
definitions, coverage, method, legend, revision policy (the cover lines,
which the page, the CSV, the XLSX cover sheet and the PDF's first page print).
"""
from __future__ import annotations

from datetime import date

from flask_babel import format_datetime, format_decimal, to_user_timezone
from flask_babel import gettext as _

from coordination.extensions import db
from coordination.i18n import month_label
from coordination.models_base import utcnow
from coordination.reports.request import ReportRequest
from coordination.statistics import cellkey, query
from coordination.statistics.protection import Protection
from coordination.territories.models import Territory
from exports.report import CoverLine


def _coverage(lang: str) -> tuple[str, str]:
    """The first month with a registered case, per region: as people read it,
    and with ISO months (for CSV)."""
    firsts = query.first_months()
    if not firsts:
        none = _("No case is registered yet.")
        return none, none
    names = {t.id: t.name(lang) for t in db.session.query(Territory)
             .filter(Territory.id.in_(list(firsts)))}
    regions = sorted(firsts.items(), key=lambda item: str(names.get(item[0])))
    text = "; ".join(f"{names.get(territory, territory)}: "
                     f"{month_label(date(month // 100, month % 100, 1))}"
                     for territory, month in regions)
    plain = "; ".join(f"{names.get(territory, territory)}: {month // 100}-{month % 100:02d}"
                      for territory, month in regions)
    return text, plain


def lines(request: ReportRequest, protection: Protection, lang: str) -> list[CoverLine]:
    period = _("%(start)s – %(end)s", start=month_label(request.start),
               end=month_label(request.last_month))
    produced = utcnow()
    deviation = protection.max_deviation
    error = cellkey.expected_abs_error(protection.table)
    return [
        # CSV writes the period and the time as ISO 8601, the rest as people read it.
        CoverLine(_("Period"), period, f"{request.start:%Y-%m}/{request.last_month:%Y-%m}"),
        CoverLine(_("Territory"), request.territory.name(lang)),
        CoverLine(_("Data as of"), format_datetime(produced, "short"),
                  to_user_timezone(produced).isoformat(timespec="minutes")),
        CoverLine(_("Figures are slightly altered"), _(
            "To protect the people behind them, every figure is slightly altered: a small "
            "number (at most %(deviation)d, on average about %(error)s) is added or taken away. "
            "The same people always get the same change, so figures cannot be subtracted "
            "apart. Totals are altered on their own and may differ from the sum of their "
            "parts.", deviation=deviation, error=format_decimal(round(error, 1)))),
        CoverLine(_("Legend"), _(
            "“<%(k)d” marks a figure from 1 to %(below)d after alteration (for breakdowns of "
            "sexual violence, “<%(k_sexual)d”). 0 is a true zero. “—” means no figure can be "
            "given (no population entered, or nothing to compute from).",
            k=protection.k, below=protection.k - 1, k_sexual=protection.k_sexual)),
        CoverLine(_("Definitions"), _(
            "Each table names its unit and its date. Months are those of Bishkek time. A "
            "survivor is every person recorded as a survivor of the case, children included. "
            "Something counted in the period happened in the period. A missing value is "
            "counted as “Not recorded”.")),
        CoverLine(_("Consent"), _(
            "Cases whose consent to statistics was withdrawn, with no consent to statistics "
            "given again, are not counted. All other cases are.")),
        CoverLine(_("Coverage (first month with a case)"), *_coverage(lang)),
        CoverLine(_("Revision policy"), _(
            "Figures of past months change when cases are recorded late or corrected; each "
            "output states when it was produced. Anonymized: no names, reference numbers, "
            "dates or anything about one person.")),
    ]
