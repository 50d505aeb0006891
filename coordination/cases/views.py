"""Case list, intake and the case page."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coordination import policy
from coordination.cases import services
from coordination.cases.intake import incident_data, intake_from_form, set_intake_choices
from coordination.cases.models import CaseStatus, ClosureReason, RiskLevel
from coordination.cases.page import build_case_page
from coordination.decorators import section_required
from coordination.extensions import db
from coordination.i18n import current_language
from coordination.models_base import utcnow
from coordination.steps import run_step
from coordination.web import current_page
from forms.cases import (
    CaseFilterForm,
    CaseIntakeForm,
    CaseStatusForm,
    NewIncidentForm,
    ReassignLeadForm,
)
from forms.fields import choices

bp = Blueprint("cases", __name__, url_prefix="/cases")
cases_section = section_required(policy.Section.CASES)


@bp.route("")
@cases_section
def list_cases():
    user = current_user._get_current_object()
    form = CaseFilterForm(request.args)
    lang = current_language()
    form.district.choices = choices(
        [("", _("Any district")), *((d.id, d.name(lang)) for d in services.intake_districts(user))]
    )
    filters = services.CaseFilters()
    if form.validate():
        filters = services.CaseFilters(
            status=CaseStatus(form.status.data) if form.status.data else None,
            district_id=form.district.data,
            risk=RiskLevel(form.risk.data) if form.risk.data else None,
            query=form.q.data,
        )
    page = current_page()
    pagination = services.list_cases(user, filters, page=max(page, 1))
    return render_template("cases/list.html", form=form, pagination=pagination)


@bp.route("/new", methods=["GET", "POST"])
@cases_section
def new_case():
    user = current_user._get_current_object()
    form = CaseIntakeForm()
    set_intake_choices(form, user, current_language())
    if form.validate_on_submit():
        try:
            case = services.register_case(user, intake_from_form(form))
        except services.IntakeError as error:
            db.session.rollback()
            form.form_errors.append(str(error.message))
        else:
            db.session.commit()
            flash(_("Case %(reference)s registered.", reference=case.reference), "success")
            return redirect(url_for("cases.show_case", case_id=case.id))
    return render_template("cases/new.html", form=form)


@bp.route("/<int:case_id>")
@cases_section
def show_case(case_id: int):
    user = current_user._get_current_object()
    case = services.get_case_or_404(user, case_id)
    page = build_case_page(user, case)
    html = render_template("cases/detail.html", page=page, case=case, now=utcnow(),
                           warning_hours=current_app.config["ORDER_WARNING_HOURS"])
    # Commit the audit of this view after rendering: a commit expires every
    # loaded object, and the page would load the whole case a second time.
    db.session.commit()
    return html


@bp.route("/<int:case_id>/status", methods=["POST"])
@cases_section
def change_status(case_id: int):
    user = current_user._get_current_object()
    case = services.get_case_or_404(user, case_id, audit=False)
    form = CaseStatusForm()

    def step():
        reason = ClosureReason(form.closure_reason.data) if form.closure_reason.data else None
        services.change_status(user, case, CaseStatus(form.status.data), form.version.data,
                               reason)

    target = url_for("cases.show_case", case_id=case.id)
    return run_step(step, _("Case status changed."), target, form)


@bp.route("/<int:case_id>/lead", methods=["POST"])
@cases_section
def reassign_lead(case_id: int):
    user = current_user._get_current_object()
    case = services.get_case_or_404(user, case_id, audit=False)
    form = ReassignLeadForm()
    form.lead_agency.choices = choices((a.id, a.name) for a in services.lead_candidates(case))
    target = url_for("cases.show_case", case_id=case.id)
    return run_step(
        lambda: services.reassign_lead(user, case, form.lead_agency.data, form.version.data),
        _("Lead agency changed."), target, form)


@bp.route("/<int:case_id>/incidents", methods=["POST"])
@cases_section
def record_incident(case_id: int):
    user = current_user._get_current_object()
    case = services.get_case_or_404(user, case_id, audit=False)
    form = NewIncidentForm()
    target = url_for("cases.show_case", case_id=case.id, _anchor="incidents")
    return run_step(
        lambda: services.record_incident(user, case, incident_data(form.incident.form)),
        _("Incident recorded."), target, form)
