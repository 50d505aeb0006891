"""The triage queue and the hotline operator's form."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import to_user_timezone, to_utc

from coordination import policy
from coordination.cases import services as cases
from coordination.cases.intake import intake_from_form, set_intake_choices
from coordination.decorators import section_required
from coordination.i18n import current_language
from coordination.pipeline import REFUSED, acting_user, attempt, step
from coordination.triage import services
from coordination.triage.models import ClosingReason, ReportSource
from forms.cases import CaseIntakeForm
from forms.fields import choices
from forms.triage import AttachReportForm, CloseReportForm, IncomingReportForm

bp = Blueprint("triage", __name__, url_prefix="/triage")
triage_section = section_required(policy.Section.TRIAGE)
record_section = section_required(policy.Section.RECORD_REPORT)

#: Rows the queue page shows (oldest first); the rest follow as they are dealt with.
QUEUE_ROWS = 100


def load_report(user, report_id):
    return services.get_report_or_404(user, report_id)


def to_queue(user, report) -> str:
    return url_for("triage.queue")


def attach_form(user, report):
    return AttachReportForm(prefix=f"attach-{report.id}")


def close_form(user, report):
    return CloseReportForm(prefix=f"close-{report.id}")


@bp.route("")
@triage_section
def queue():
    user = acting_user()
    reports, total = services.waiting_reports(user, QUEUE_ROWS)
    forms = {report.id: (attach_form(user, report), close_form(user, report))
             for report in reports}
    for report in reports:
        attach, close = forms[report.id]
        attach.version.data = close.version.data = report.version
    return render_template("triage/queue.html", reports=reports, total=total, forms=forms)


@bp.route("/new", methods=["GET", "POST"])
@record_section
def new_report():
    user = acting_user()
    form = IncomingReportForm()
    lang = current_language()
    form.district.choices = choices((d.id, d.name(lang)) for d in cases.intake_districts(user))
    if form.validate_on_submit():
        report = attempt(form, services.record_report, user, services.ReportData(
            source=ReportSource(form.source.data), received_at=to_utc(form.received_at.data),
            district_id=form.district.data, summary=form.summary.data,
            caller_contact=form.caller_contact.data))
        if report is not REFUSED:
            flash(_("The report is in the district's triage queue."), "success")
            return redirect(url_for("triage.new_report"))
    return render_template("triage/new.html", form=form)


@bp.route("/<incoming_report:report_id>/case", methods=["GET", "POST"])
@triage_section
def open_case(report_id):
    """The intake form, prefilled from the report; the case is linked to it."""
    user = acting_user()
    report = load_report(user, report_id)
    if not policy.may_use(user, policy.Section.CASES) or \
            not policy.can(user, policy.Action.TRIAGE_REPORT, report):
        from coordination.refusals import Forbidden

        raise Forbidden()
    form = CaseIntakeForm()
    set_intake_choices(form, user, current_language())
    if not form.is_submitted():
        form.district.data = report.district_id
        # The day of the call where the user is (the time is stored in UTC).
        form.incident.occurred_on.data = to_user_timezone(report.received_at).date()

    def register(intake):
        case = cases.register_case(user, intake)
        services.case_opened(user, report, case)
        return case

    if form.validate_on_submit():
        case = attempt(form, register, intake_from_form(form))
        if case is not REFUSED:
            flash(_("Case %(reference)s registered.", reference=case.reference), "success")
            return redirect(url_for("cases.show_case", case_id=case.id))
    return render_template("cases/new.html", form=form)


@bp.route("/<incoming_report:report_id>/attach", methods=["POST"])
@triage_section
@step(load=load_report, action=policy.Action.TRIAGE_REPORT, back=to_queue, form=attach_form)
def attach(user, report, form):
    case = services.attach(user, report, form.reference.data, form.version.data)
    return _("The report was attached to case %(reference)s.", reference=case.reference)


@bp.route("/<incoming_report:report_id>/close", methods=["POST"])
@triage_section
@step(load=load_report, action=policy.Action.TRIAGE_REPORT, back=to_queue, form=close_form)
def close(user, report, form):
    services.close_report(user, report, ClosingReason(form.reason.data), form.version.data)
    return _("The report was closed.")
