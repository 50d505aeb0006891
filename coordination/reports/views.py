"""The report page and its downloads (CSV, XLSX, PDF): the same numbers."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user
from markupsafe import Markup

from coordination import policy
from coordination.decorators import section_required
from coordination.models_base import utcnow
from coordination.replica.routing import reads_from_replica
from coordination.reports import filters
from coordination.reports.build import build
from coordination.reports.request import parse
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


def _report():
    user = current_user._get_current_object()
    try:
        report_request = parse(user, request.args, utcnow().date())
    except PermissionError:
        abort(403)
    report, notes = build(report_request)
    return user, report_request, report, notes


@bp.route("")
@reports_section
@reads_from_replica
def page():
    user, report_request, report, notes = _report()
    # Our own renderer escapes every text and writes no script or style.
    charts = [Markup(render_svg(chart)) for chart in report.charts]  # nosec B704
    return render_template("reports/page.html", report=report, notes=notes, charts=charts,
                           problems=report_request.problems,
                           form=filters.form_for(user, report_request),
                           query=request.query_string.decode("ascii", "replace"))


@bp.route("/aggregate.<any(csv, xlsx, pdf):kind>")
@reports_section
@reads_from_replica
def download(kind: str):
    _user, report_request, report, _notes = _report()
    render, mimetype = DOWNLOADS[kind]
    name = (f"statistics-{report_request.territory.code}-{report_request.start:%Y-%m}-"
            f"{report_request.last_month:%Y-%m}.{kind}")
    return Response(render(report), mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
