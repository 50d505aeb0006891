"""The case domain's own sections of the case page: the summary with its
actions, the people, the incidents and the timeline."""
from __future__ import annotations

from sqlalchemy.orm import joinedload, selectinload

from coordination import policy
from coordination.cases import services
from coordination.cases.models import Case, CaseStatus, TimelineEvent
from coordination.cases.page import CaseSection
from forms.cases import CaseStatusForm, NewIncidentForm, ReassignLeadForm
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
    return {
        "status_form": status_form(user, case, display=True)
        if can(policy.Action.CHANGE_CASE_STATUS, case) else None,
        "lead_form": lead_form(user, case, display=True)
        if can(policy.Action.REASSIGN_LEAD, case) else None,
    }


def _people(user, case, can):
    return {"show_restricted": can(policy.Action.VIEW_RESTRICTED, case)}


def _incidents(user, case, can):
    return {"form": NewIncidentForm(formdata=None)
            if can(policy.Action.RECORD_INCIDENT, case) else None}


def _timeline(user, case, can):
    return {}


summary = CaseSection("summary", "cases/section_summary.html", _summary, options=(
    joinedload(Case.district), joinedload(Case.municipality),
    joinedload(Case.lead_agency), joinedload(Case.opening_agency)))
people = CaseSection("people", "cases/section_people.html", _people,
                     options=(selectinload(Case.people),))
incidents = CaseSection("incidents", "cases/section_incidents.html", _incidents,
                        options=(selectinload(Case.incidents),))
timeline = CaseSection("timeline", "cases/section_timeline.html", _timeline, options=(
    selectinload(Case.timeline).joinedload(TimelineEvent.related_agency),
    selectinload(Case.timeline).joinedload(TimelineEvent.user),
    selectinload(Case.timeline).joinedload(TimelineEvent.agency)))

