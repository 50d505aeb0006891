"""The report page and its downloads (CSV, XLSX, PDF): the same numbers.

Every request for statistics is audited with its parameters and format
(``statistics_requested``), so that unusual querying can be seen in the
audit viewer; a request that cannot be answered gets the reason (a message
on the page, a 400 for a download), never another report.
"""
from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_login import current_user
from markupsafe import Markup

from coordination import policy
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.decorators import section_required
from coordination.models_base import utcnow
from coordination.pipeline import allow_write
from coordination.replica.routing import reads_from_replica
from coordination.reports import filters
from coordination.reports.build import build
from coordination.reports.request import ReportRequest, parse
from exports.csv_report import render_csv
from exports.pdf_report import render_pdf
from exports.svg_charts import render_svg
from exports.xlsx_report import render_xlsx

bp = Blueprint("reports", __name__, url_prefix="/reports")
reports_section = section_required(policy.Section.REPORTS)

DOWNLOADS = {
    "csv": (render_csv, "text/csv; charset=utf-8"),
    "xlsx": (render_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pdf": (render_pdf, "application/pdf"),
}


def audit_request(report_request: ReportRequest, kind: str, user=None) -> None:
    """Record who asked for which statistics, in which format."""
    allow_write("the audit of a statistics request")
    fields = [f"format={kind}", *report_request.parameters()]
    if report_request.problems:
        fields.append("refused")
    record(AuditAction.STATISTICS_REQUESTED, user or current_user._get_current_object(),
           "statistics",
           None, fields=[", ".join(fields)[:300]])


def _request(kind: str) -> ReportRequest:
    report_request = parse(current_user._get_current_object(), request.args, utcnow().date())
    audit_request(report_request, kind)
    return report_request


@bp.route("")
@reports_section
@reads_from_replica
def page():
    report_request = _request("page")
    form = filters.form_for(current_user._get_current_object(), report_request)
    if report_request.problems:
        return render_template("reports/page.html", report=None, notes=[], charts=[],
                               problems=report_request.problems, form=form, query=""), 400
    report, notes = build(report_request, utcnow().date())
    # Our own renderer escapes every text and writes no script or style.
    charts = [Markup(render_svg(chart)) for chart in report.charts]  # nosec B704
    return render_template("reports/page.html", report=report, notes=notes, charts=charts,
                           problems=[], form=form,
                           query=request.query_string.decode("ascii", "replace"))


@bp.route("/aggregate.<any(csv, xlsx, pdf):kind>")
@reports_section
@reads_from_replica
def download(kind: str):
    report_request = _request(kind)
    if report_request.problems:
        return Response("\n".join(report_request.problems) + "\n", status=400,
                        mimetype="text/plain")
    report, _notes = build(report_request, utcnow().date())
    render, mimetype = DOWNLOADS[kind]
    name = (f"statistics-{report_request.territory.code}-{report_request.start:%Y-%m}-"
            f"{report_request.last_month:%Y-%m}.{kind}")
    return Response(render(report), mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
