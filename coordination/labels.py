"""Translated labels of the domain's enumerations, for forms and templates."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from coordination.accounts.administration import UserStatus
from coordination.accounts.models import Role
from coordination.agencies.models import AgencyType
from coordination.audit.models import AuditAction
from coordination.cases.models import (
    CaseStatus,
    IncidentPlace,
    PersonRole,
    Relationship,
    Reporter,
    RiskLevel,
    Sex,
    TimelineKind,
    ViolenceForm,
)

AGENCY_TYPE = {
    AgencyType.COMMITTEE: _l("Prevention committee"),
    AgencyType.POLICE: _l("Police"),
    AgencyType.SOCIAL: _l("Social protection"),
    AgencyType.LSG: _l("Local self-government"),
    AgencyType.HEALTH: _l("Health"),
    AgencyType.EDUCATION: _l("Education"),
    AgencyType.CRISIS_CENTRE: _l("Crisis centre"),
    AgencyType.MINISTRY: _l("Ministry"),
}

ROLE = {
    Role.MEMBER: _l("Member"),
    Role.LEAD: _l("Agency head"),
    Role.ADMIN: _l("Administrator"),
}

USER_STATUS = {
    UserStatus.ACTIVE: _l("Can sign in"),
    UserStatus.INACTIVE: _l("Deactivated"),
    UserStatus.LOCKED: _l("Locked after failed sign-ins"),
    UserStatus.TEMPORARY_PASSWORD: _l("Temporary password not yet changed"),
}

#: Sign-in attempts on the profile page, by their audit action.
LOGIN_RESULT = {
    AuditAction.LOGIN_SUCCEEDED: _l("Signed in"),
    AuditAction.LOGIN_FAILED: _l("Refused: wrong password"),
    AuditAction.LOGIN_LOCKED: _l("Refused: account locked"),
}

CASE_STATUS = {
    CaseStatus.OPEN: _l("Open"),
    CaseStatus.ACTIVE: _l("Active"),
    CaseStatus.MONITORING: _l("Monitoring"),
    CaseStatus.CLOSED: _l("Closed"),
}

RISK_LEVEL = {
    RiskLevel.STANDARD: _l("Standard"),
    RiskLevel.MEDIUM: _l("Medium"),
    RiskLevel.HIGH: _l("High"),
}

PERSON_ROLE = {
    PersonRole.SURVIVOR: _l("Survivor"),
    PersonRole.ALLEGED_PERPETRATOR: _l("Alleged perpetrator"),
    PersonRole.CHILD: _l("Child"),
    PersonRole.OTHER: _l("Other person"),
}

SEX = {Sex.FEMALE: _l("Female"), Sex.MALE: _l("Male")}

RELATIONSHIP = {
    Relationship.SPOUSE: _l("Spouse"),
    Relationship.FORMER_SPOUSE: _l("Former spouse"),
    Relationship.DE_FACTO_PARTNER: _l("De facto partner"),
    Relationship.PARENT: _l("Parent"),
    Relationship.CHILD: _l("Child"),
    Relationship.PARENT_IN_LAW: _l("Parent-in-law"),
    Relationship.OTHER_RELATIVE: _l("Other relative living together"),
    Relationship.CARER: _l("Carer"),
    Relationship.OTHER: _l("Other"),
}

VIOLENCE_FORM = {
    ViolenceForm.PHYSICAL: _l("Physical"),
    ViolenceForm.PSYCHOLOGICAL: _l("Psychological"),
    ViolenceForm.ECONOMIC: _l("Economic"),
    ViolenceForm.SEXUAL: _l("Sexual"),
    ViolenceForm.NEGLECT: _l("Neglect"),
    ViolenceForm.THREAT: _l("Threat"),
}

INCIDENT_PLACE = {
    IncidentPlace.SHARED_HOME: _l("Shared home"),
    IncidentPlace.SURVIVOR_HOME: _l("Survivor's home"),
    IncidentPlace.RELATIVES_HOME: _l("Relatives' home"),
    IncidentPlace.PUBLIC_PLACE: _l("Public place"),
    IncidentPlace.WORKPLACE: _l("Workplace"),
    IncidentPlace.OTHER: _l("Other place"),
}

REPORTER = {
    Reporter.SURVIVOR: _l("The survivor"),
    Reporter.RELATIVE: _l("A relative"),
    Reporter.NEIGHBOUR: _l("A neighbour"),
    Reporter.SCHOOL: _l("School"),
    Reporter.HEALTH_WORKER: _l("Health worker"),
    Reporter.POLICE_PATROL: _l("Police patrol"),
    Reporter.CALL_102_112: _l("102 / 112 call"),
    Reporter.HOTLINE_117: _l("117 hotline"),
    Reporter.OTHER: _l("Other"),
}

TIMELINE_KIND = {
    TimelineKind.CASE_REGISTERED: _l("Case registered"),
    TimelineKind.INCIDENT_RECORDED: _l("Incident recorded"),
}

#: Every table above, by the name templates use: ``label('sex', person.sex)``.
TABLES = {
    "agency_type": AGENCY_TYPE,
    "role": ROLE,
    "user_status": USER_STATUS,
    "login_result": LOGIN_RESULT,
    "case_status": CASE_STATUS,
    "risk_level": RISK_LEVEL,
    "person_role": PERSON_ROLE,
    "sex": SEX,
    "relationship": RELATIONSHIP,
    "violence_form": VIOLENCE_FORM,
    "incident_place": INCIDENT_PLACE,
    "reporter": REPORTER,
    "timeline_kind": TIMELINE_KIND,
}


def label(table: str, value) -> str:
    """The translated label of ``value`` in ``table``; unknown names raise."""
    return str(TABLES[table][value])
