"""Case list, intake and the case page."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from coordination import policy
from coordination.cases import corrections, services
from coordination.cases.duplicates import check_duplicates
from coordination.cases.intake import (
    incident_data,
    intake_from_form,
    set_intake_choices,
    survivor_key,
)
from coordination.cases.models import (
    CaseStatus,
    ClosureReason,
    PersonRole,
    Relationship,
    RiskLevel,
    Sex,
)
from coordination.cases.page import build_case_page, page_options
from coordination.cases.section import (
    add_person_form,
    incident_correction_form,
    lead_form,
    load_incident,
    load_person,
    status_form,
)
from coordination.cases.steps import load_case, to_case
from coordination.decorators import section_required
from coordination.i18n import current_language
from coordination.models_base import utcnow
from coordination.pipeline import (
    REFUSED,
    Confirmation,
    acting_user,
    allow_write,
    attempt,
    step,
)
from coordination.replica.routing import reads_from_replica
from forms.cases import CaseFilterForm, CaseIntakeForm, NewIncidentForm, PersonCorrectionForm
from forms.fields import choices

bp = Blueprint("cases", __name__, url_prefix="/cases")
cases_section = section_required(policy.Section.CASES)


@bp.route("")
@cases_section
@reads_from_replica
def list_cases():
    user = acting_user()
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
    page = services.list_cases(user, filters, after=request.args.get("after"),
                               before=request.args.get("before"))
    return render_template("cases/list.html", form=form, page=page)


@bp.route("/new", methods=["GET", "POST"])
@cases_section
def new_case():
    user = acting_user()
    form = CaseIntakeForm()
    set_intake_choices(form, user, current_language())
    duplicates = None
    if form.validate_on_submit():
        intake = intake_from_form(form)
        # The guard runs (and is audited) on every submission; the user
        # registers over possible matches only by ticking the box it shows.
        duplicates = check_duplicates(user, survivor_key(intake))
        if not duplicates.found or form.different_person.data:
            case = attempt(form, services.register_case, user, intake)
            if case is not REFUSED:
                flash(_("Case %(reference)s registered.", reference=case.reference), "success")
                return redirect(url_for("cases.show_case", case_id=case.id))
    return render_template("cases/new.html", form=form, duplicates=duplicates)


@bp.route("/<case:case_id>")
@cases_section
def show_case(case_id: int):
    user = acting_user()
    case = services.read_case_or_404(user, case_id, options=page_options())
    # A view by another agency than the lead is audited: the one write a GET
    # makes, committed with the request.
    allow_write("audit of a case view")
    return render_template("cases/detail.html", page=build_case_page(user, case), case=case,
                           now=utcnow())


def _closing_confirmation() -> Confirmation | None:
    """Closing a case is confirmed (with its reason); other status changes are not."""
    if request.form.get("status") != CaseStatus.CLOSED.value:
        return None
    return Confirmation(
        _("Close the case"),
        _("The case will be closed: open referrals and follow-ups stay as they are, and the "
          "case leaves the agencies' working lists. Only the lead agency can reopen it."),
        _("Close the case"))


@bp.route("/<case:case_id>/status", methods=["POST"])
@cases_section
@step(load=load_case, action=policy.Action.CHANGE_CASE_STATUS, back=to_case(),
      form=status_form, confirm=lambda user, case: _closing_confirmation())
def change_status(user, case, form):
    reason = ClosureReason(form.closure_reason.data) if form.closure_reason.data else None
    services.change_status(user, case, CaseStatus(form.status.data), form.version.data, reason)
    return _("Case status changed.")


@bp.route("/<case:case_id>/lead", methods=["POST"])
@cases_section
@step(load=load_case, action=policy.Action.REASSIGN_LEAD, back=to_case(), form=lead_form)
def reassign_lead(user, case, form):
    services.reassign_lead(user, case, form.lead_agency.data, form.version.data)
    return _("Lead agency changed.")


@bp.route("/<case:case_id>/incidents", methods=["POST"])
@cases_section
@step(load=load_case, action=policy.Action.RECORD_INCIDENT, back=to_case("incidents"),
      form=lambda user, case: NewIncidentForm())
def record_incident(user, case, form):
    services.record_incident(user, case, incident_data(form.incident.form))
    return _("Incident recorded.")


@bp.route("/<case:case_id>/people", methods=["POST"])
@cases_section
@step(load=load_case, action=policy.Action.CORRECT_PEOPLE, back=to_case("people"),
      form=add_person_form)
def add_person(user, case, form):
    corrections.add_person(user, case, services.PersonData(
        role=PersonRole(form.role.data), last_name=form.last_name.data,
        first_name=form.first_name.data, patronymic=form.patronymic.data,
        sex=Sex(form.sex.data), birth_year=form.birth_year.data,
        disability=form.disability.data,
        relationship_to_survivor=Relationship(form.relationship.data)
        if form.relationship.data else None))
    return _("Person added.")


@bp.route("/people/<person:person_id>/correct", methods=["POST"])
@cases_section
@step(load=load_person, action=policy.Action.CORRECT_PEOPLE, back=to_case("people"),
      form=lambda user, person: PersonCorrectionForm())
def correct_person(user, person, form):
    # Who may not see the contact fields never gets them, so keeps them as they are.
    restricted = policy.can(user, policy.Action.VIEW_RESTRICTED, person.case, case_visible=True)
    corrections.correct_person(user, person.case, person, corrections.PersonCorrection(
        last_name=form.last_name.data, first_name=form.first_name.data,
        patronymic=form.patronymic.data, sex=Sex(form.sex.data),
        birth_year=form.birth_year.data, disability=form.disability.data,
        relationship_to_survivor=Relationship(form.relationship.data)
        if form.relationship.data else None,
        phone=form.phone.data if restricted else person.phone,
        address=form.address.data if restricted else person.address), form.version.data)
    return _("The person's details were corrected.")


@bp.route("/incidents/<incident:incident_id>/correct", methods=["POST"])
@cases_section
@step(load=load_incident, action=policy.Action.CORRECT_INCIDENT, back=to_case("incidents"),
      form=incident_correction_form)
def correct_incident(user, incident, form):
    corrections.correct_incident(user, incident, incident_data(form.incident.form),
                                 form.version.data)
    return _("The incident was corrected.")
