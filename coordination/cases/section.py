"""The case domain's own sections of the case page: the summary with its
actions, the people, the incidents and the timeline."""
from __future__ import annotations

import sqlalchemy as sa
from flask import request
from sqlalchemy.orm import joinedload, selectinload

from coordination import policy
from coordination.cases import services
from coordination.cases.models import (
    Case,
    CaseStatus,
    Incident,
    Person,
    TimelineEvent,
    gendered_reporter,
)
from coordination.cases.page import CaseSection, form_wanted
from coordination.cases.timeline import detail_lines
from coordination.extensions import db
from coordination.public_ids import decode
from coordination.refusals import NotFound
from coordination.territories.models import Territory
from forms.cases import (
    AddPersonForm,
    CaseStatusForm,
    IncidentCorrectionForm,
    NewIncidentForm,
    PersonCorrectionForm,
    ReassignLeadForm,
)
from forms.fields import choices


def shown(display: bool, **defaults) -> dict:
    """Form arguments: a form drawn on the page reads no request data and
    shows ``defaults`` (the version it was drawn at); a form a step
    validates reads only the posted data."""
    return {"formdata": None, **defaults} if display else {}


def status_form(user, case: Case, display: bool = False) -> CaseStatusForm:
    """The status form, offering closing only to whom the policy lets close."""
    form = CaseStatusForm(**shown(display, version=case.version))
    if not policy.can(user, policy.Action.CLOSE_CASE, case, case_visible=True):
        form.status.choices = [c for c in form.status.choices
                               if c.value != CaseStatus.CLOSED.value]
    return form


def lead_form(user, case: Case, display: bool = False) -> ReassignLeadForm:
    form = ReassignLeadForm(**shown(display, version=case.version))
    form.lead_agency.choices = choices(
        (a.id, a.name) for a in services.lead_candidates(case) if a.id != case.lead_agency_id)
    return form


def _summary(user, case, can):
    may_change = can(policy.Action.CHANGE_CASE_STATUS, case)
    # The serving agencies are read once per request (the referrals' receivers too).
    may_hand_over = can(policy.Action.REASSIGN_LEAD, case) and any(
        a.id != case.lead_agency_id for a in services.lead_candidates(case))
    # Each form is built only when drawn (form_wanted); its opener is drawn
    # when the user may act (``may_open``, the forms' keys).
    return {
        # The case's current risk is the new territory's assessment: a former
        # party reads the identity of the case and its own assessments only.
        "whole": can(policy.Action.READ_WHOLE_CASE, case),
        "may_open": {key for key, may in (("change-status", may_change),
                                          ("hand-over-lead", may_hand_over)) if may},
        "status_form": status_form(user, case, display=True) if may_change and form_wanted(
            "change-status", "cases.change_status", case) else None,
        "lead_form": lead_form(user, case, display=True) if may_hand_over and form_wanted(
            "hand-over-lead", "cases.reassign_lead", case) else None,
    }


def add_person_form(user, case: Case, display: bool = False) -> AddPersonForm:
    return AddPersonForm(formdata=None) if display else AddPersonForm()


def correction_form(person: Person, restricted: bool) -> PersonCorrectionForm:
    """The correction form of ``person``, filled with what is recorded; the
    contact fields only for who may see them (the others never get them)."""
    form = PersonCorrectionForm(formdata=None, obj=person)
    if not restricted:
        form.phone.data = form.address.data = None
    form.sex.data = person.sex.value
    form.relationship.data = (person.relationship_to_survivor.value
                              if person.relationship_to_survivor else "")
    return form


def load_person(user, person_id: int) -> Person:
    """The person if its case is visible to ``user`` (404 otherwise)."""
    person = db.session.scalar(sa.select(Person).join(Person.case).where(
        Person.id == person_id, policy.case_visibility_per_row(user)))
    if person is None:
        raise NotFound()
    return person


#: The case page's query parameters naming the person (``?correct=<token>``)
#: or the incident (``?correct_incident=<token>``) whose correction form is open.
CORRECT_PARAMETER, CORRECT_INCIDENT_PARAMETER = "correct", "correct_incident"


def _people(user, case, can):
    if not can(policy.Action.READ_WHOLE_CASE, case):
        return None
    restricted = can(policy.Action.VIEW_RESTRICTED, case)
    correct = can(policy.Action.CORRECT_PEOPLE, case)
    # One person's correction form, drawn when asked for by its link: drawing
    # every person's (folded) form cost most of the case page's time.
    wanted = decode("person", request.args.get(CORRECT_PARAMETER, "")) if correct else None
    correcting = next((p for p in case.people if p.id == wanted), None)
    return {"show_restricted": restricted, "may_correct": correct,
            # Contact fields are corrected only by who may see them.
            "correcting": correcting.id if correcting else None,
            "correction": correction_form(correcting, restricted) if correcting else None,
            "may_open": {"add-person"} if correct else set(),
            "add_form": add_person_form(user, case, display=True) if correct and form_wanted(
                "add-person", "cases.add_person", case) else None}


def incident_correction_form(user, incident: Incident, display: bool = False
                             ) -> IncidentCorrectionForm:
    """The correction form of ``incident``: drawn filled with what is recorded,
    or read from the posted data under the same prefix."""
    prefix = f"incident{incident.id}"
    if not display:
        return IncidentCorrectionForm(prefix=prefix)
    form = IncidentCorrectionForm(formdata=None, prefix=prefix, version=incident.version)
    sub = form.incident.form
    sub.occurred_on.data = incident.occurred_on
    sub.place.data, sub.reported_by.data = incident.place.value, incident.reported_by.value
    sub.forms.data = [f.value for f in incident.forms]
    for name in ("bride_kidnapping", "forced_marriage", "early_marriage",
                 "crime_register_number", "info_log_number"):
        getattr(sub, name).data = getattr(incident, name)
    return form


def load_incident(user, incident_id: int) -> Incident:
    """The incident if its case is visible to ``user`` (404 otherwise)."""
    incident = db.session.scalar(sa.select(Incident).join(Incident.case).where(
        Incident.id == incident_id, policy.case_visibility_per_row(user)))
    if incident is None:
        raise NotFound()
    return incident


def _incidents(user, case, can):
    survivor = next((p for p in case.people if p.role.value == "survivor"), None)
    may_record = can(policy.Action.RECORD_INCIDENT, case)
    return {"reporter": lambda incident: gendered_reporter(
                incident.reported_by, survivor.sex if survivor else None),
            "may_open": {"record-incident"} if may_record else set(),
            "form": NewIncidentForm(formdata=None) if may_record and form_wanted(
                "record-incident", "cases.record_incident", case) else None,
            # Who may correct which incident: a link each; the form of the one
            # asked for (``?correct_incident=``) alone, as for people.
            "may_correct": {i.id for i in case.incidents
                            if can(policy.Action.CORRECT_INCIDENT, i)},
            "correction": _incident_correction(user, case, can)}


def _incident_correction(user, case, can) -> IncidentCorrectionForm | None:
    wanted = decode("incident", request.args.get(CORRECT_INCIDENT_PARAMETER, ""))
    incident = next((i for i in case.incidents if i.id == wanted), None)
    if incident is None or not can(policy.Action.CORRECT_INCIDENT, incident):
        return None
    form = incident_correction_form(user, incident, display=True)
    form.incident_id = incident.id  # which incident's article draws it
    return form


def _timeline(user, case, can):
    # The details in the reader's words (coordination/cases/timeline.py).
    return {"details": {event.id: detail_lines(event) for event in case.timeline
                        if event.detail}}


summary = CaseSection("summary", "cases/section_summary.html", _summary, options=(
    # The district's region and country: the agencies serving the case are
    # found up its chain (policy.agencies_serving), which would load each.
    joinedload(Case.district).joinedload(Territory.parent).joinedload(Territory.parent),
    joinedload(Case.municipality),
    joinedload(Case.lead_agency), joinedload(Case.opening_agency)))
people = CaseSection("people", "cases/section_people.html", _people,
                     options=(selectinload(Case.people),))
incidents = CaseSection("incidents", "cases/section_incidents.html", _incidents,
                        options=(selectinload(Case.incidents).joinedload(Incident.recorded_by),
                                 selectinload(Case.people)))
timeline = CaseSection("timeline", "cases/section_timeline.html", _timeline, options=(
    selectinload(Case.timeline).joinedload(TimelineEvent.related_agency),
    selectinload(Case.timeline).joinedload(TimelineEvent.user),
    selectinload(Case.timeline).joinedload(TimelineEvent.agency)))

