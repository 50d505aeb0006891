"""Translated labels of the domain's enumerations, for forms and templates."""
from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from coordination.accounts.administration import UserStatus
from coordination.accounts.models import Role
from coordination.agencies.models import AgencyType
from coordination.audit.models import AuditAction
from coordination.cases.models import (
    CaseStatus,
    ClosureReason,
    IncidentPlace,
    PersonRole,
    Relationship,
    Reporter,
    RiskLevel,
    Sex,
    TimelineKind,
    ViolenceForm,
)
from coordination.consent.models import ConsentScope
from coordination.followups.models import FollowUpStatus
from coordination.i18n import ngettext
from coordination.meetings.models import AgendaReason, MeetingStatus
from coordination.notifications.models import NotificationKind
from coordination.programmes.models import ProgrammeStatus
from coordination.protection.models import OrderKind, OrderStatus
from coordination.referrals.models import LegalGround, Priority, ReferralService, ReferralStatus

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
    UserStatus.NO_TWO_FACTOR: _l("Two-factor sign-in not on"),
}

#: Sign-in attempts on the profile page, by their audit action.
LOGIN_RESULT = {
    AuditAction.LOGIN_SUCCEEDED: _l("Signed in"),
    AuditAction.LOGIN_TWO_FACTOR_SUCCEEDED: _l("Signed in with a code"),
    AuditAction.LOGIN_RECOVERY_CODE_USED: _l("Signed in with a recovery code"),
    AuditAction.LOGIN_FAILED: _l("Refused: wrong password"),
    AuditAction.LOGIN_CODE_FAILED: _l("Refused: wrong code"),
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
    TimelineKind.STATUS_CHANGED: _l("Status changed"),
    TimelineKind.CASE_CLOSED: _l("Case closed"),
    TimelineKind.CASE_REOPENED: _l("Case reopened"),
    TimelineKind.LEAD_AGENCY_CHANGED: _l("Lead agency changed"),
    TimelineKind.CONSENT_RECORDED: _l("Consent recorded"),
    TimelineKind.CONSENT_WITHDRAWN: _l("Consent withdrawn"),
    TimelineKind.REFERRAL_SENT: _l("Referral sent"),
    TimelineKind.REFERRAL_ACCEPTED: _l("Referral accepted"),
    TimelineKind.REFERRAL_DECLINED: _l("Referral declined"),
    TimelineKind.REFERRAL_STARTED: _l("Referral in progress"),
    TimelineKind.REFERRAL_COMPLETED: _l("Referral completed"),
    TimelineKind.REFERRAL_CANCELLED: _l("Referral cancelled"),
    TimelineKind.REFERRAL_REVOKED: _l("Referral revoked"),
    TimelineKind.FOLLOW_UP_ADDED: _l("Follow-up added"),
    TimelineKind.FOLLOW_UP_DONE: _l("Follow-up done"),
    TimelineKind.FOLLOW_UP_CANCELLED: _l("Follow-up cancelled"),
    TimelineKind.PUT_ON_AGENDA: _l("Put on the committee meeting's agenda"),
    TimelineKind.TAKEN_OFF_AGENDA: _l("Taken off the committee meeting's agenda"),
    TimelineKind.DISCUSSED_AT_MEETING: _l("Discussed at the committee meeting"),
    TimelineKind.RISK_ASSESSED: _l("Risk assessed"),
    TimelineKind.ORDER_ISSUED: _l("Protection order recorded"),
    TimelineKind.ORDER_EXTENDED: _l("Protection order extended"),
    TimelineKind.ORDER_REVOKED: _l("Protection order revoked"),
    TimelineKind.ORDER_VIOLATED: _l("Protection order violated"),
    TimelineKind.PROGRAMME_REFERRED: _l("Referred to a correctional programme"),
    TimelineKind.PROGRAMME_STARTED: _l("Correctional programme started"),
    TimelineKind.PROGRAMME_COMPLETED: _l("Correctional programme completed"),
    TimelineKind.PROGRAMME_DROPPED_OUT: _l("Dropped out of the correctional programme"),
}

NOTIFICATION_KIND = {
    NotificationKind.REFERRAL_RECEIVED: _l("New referral for your agency"),
    NotificationKind.REFERRAL_ANSWERED: _l("Your referral was answered"),
    NotificationKind.FOLLOW_UP_ASSIGNED: _l("New follow-up for your agency"),
    NotificationKind.FOLLOW_UP_DUE: _l("Follow-up due"),
    NotificationKind.ORDER_EXPIRING: LazyString(lambda: ngettext(
        "Protection order expiring within %(num)s hour",
        "Protection order expiring within %(num)s hours",
        current_app.config["ORDER_WARNING_HOURS"])),
    NotificationKind.ORDER_VIOLATED: _l("Protection order violated"),
    NotificationKind.MEETING_SCHEDULED: _l("Committee meeting scheduled"),
}

RISK_QUESTION = {
    "current_injury": _l("Is the survivor injured now?"),
    "very_frightened": _l("Is the survivor very frightened?"),
    "fears_worse": _l("Does the survivor fear further injury or violence?"),
    "isolated": _l("Is the survivor isolated from family or friends?"),
    "depressed": _l("Is the survivor depressed or having thoughts of suicide?"),
    "separation": _l("Has the survivor separated, or tried to, within the past year?"),
    "child_contact_conflict": _l("Is there conflict over contact with the children?"),
    "stalking": _l("Does the alleged perpetrator keep calling, following or watching "
                   "the survivor?"),
    "pregnancy": _l("Is the survivor pregnant, or has she had a baby in the last 18 months?"),
    "children_at_risk": _l("Are children abused, threatened or witnessing the violence?"),
    "forced_marriage": _l("Was the survivor kidnapped for marriage or forced to marry?"),
    "escalation": _l("Is the abuse happening more often or getting worse?"),
    "controlling": _l("Does the alleged perpetrator control what the survivor does, or "
                      "show excessive jealousy?"),
    "weapons": _l("Has the alleged perpetrator used or threatened to use a weapon?"),
    "threats_to_kill": _l("Has the alleged perpetrator threatened to kill the survivor "
                          "or someone else?"),
    "strangulation": _l("Has the alleged perpetrator ever strangled, choked or "
                        "suffocated the survivor?"),
    "sexual_abuse": _l("Does the abuse include sexual violence?"),
    "others_threaten": _l("Does anyone else threaten the survivor?"),
    "harmed_others": _l("Has the alleged perpetrator hurt children, relatives or "
                        "earlier partners?"),
    "economic_control": _l("Does the alleged perpetrator take the survivor's money or "
                           "documents?"),
    "financial_problems": _l("Does the alleged perpetrator have money problems or no work?"),
    "substance_abuse": _l("Does the alleged perpetrator misuse alcohol or drugs?"),
    "orders_breached": _l("Has the alleged perpetrator breached a protection order before?"),
    "violence_record": _l("Is the alleged perpetrator known to the police for violence?"),
}

ORDER_KIND = {
    OrderKind.TEMPORARY: _l("Temporary protection order"),
    OrderKind.COURT: _l("Court restrictions"),
}

ORDER_STATUS = {
    OrderStatus.ACTIVE: _l("Active"),
    OrderStatus.EXPIRED: _l("Expired"),
    OrderStatus.REVOKED: _l("Revoked"),
}

PROHIBITION = {
    "prohibits_violence": _l("No further violence"),
    "prohibits_contact": _l("No direct or indirect contact"),
    "prohibits_stalking": _l("No stalking"),
    "prohibits_shared_home": _l("Not to stay in the shared home"),
    "prohibits_weapons": _l("No keeping of weapons"),
    "requires_programme": _l("Directed to a correctional programme"),
}

PROGRAMME_STATUS = {
    ProgrammeStatus.REFERRED: _l("Referred"),
    ProgrammeStatus.STARTED: _l("Started"),
    ProgrammeStatus.COMPLETED: _l("Completed"),
    ProgrammeStatus.DROPPED_OUT: _l("Dropped out"),
}

CLOSURE_REASON = {
    ClosureReason.SAFETY_PLAN_ACHIEVED: _l("Safety plan achieved"),
    ClosureReason.MOVED_AWAY: _l("Moved away"),
    ClosureReason.SURVIVOR_DECLINED_SUPPORT: _l("The survivor declined further support"),
    ClosureReason.NO_FURTHER_CONTACT: _l("No further contact possible"),
    ClosureReason.TRANSFERRED: _l("Transferred to another district"),
    ClosureReason.OTHER: _l("Other reason"),
}

CONSENT_SCOPE = {
    ConsentScope.SHARING: _l("Sharing with agencies"),
    ConsentScope.STATISTICS: _l("Counting in anonymized statistics"),
}

REFERRAL_SERVICE = {
    ReferralService.SHELTER: _l("Shelter"),
    ReferralService.MEDICAL: _l("Medical care"),
    ReferralService.PSYCHOLOGICAL: _l("Psychological support"),
    ReferralService.LEGAL_AID: _l("Legal aid"),
    ReferralService.POLICE_PROTECTION: _l("Police protection"),
    ReferralService.SOCIAL_BENEFIT: _l("Social benefit"),
    ReferralService.CORRECTIONAL_PROGRAMME: _l("Correctional programme"),
    ReferralService.OTHER: _l("Other service"),
}

PRIORITY = {
    Priority.URGENT: _l("Urgent"),
    Priority.HIGH: _l("High"),
    Priority.NORMAL: _l("Normal"),
}

REFERRAL_STATUS = {
    ReferralStatus.SENT: _l("Sent"),
    ReferralStatus.ACCEPTED: _l("Accepted"),
    ReferralStatus.DECLINED: _l("Declined"),
    ReferralStatus.IN_PROGRESS: _l("In progress"),
    ReferralStatus.COMPLETED: _l("Completed"),
    ReferralStatus.CANCELLED: _l("Cancelled"),
    ReferralStatus.REVOKED: _l("Revoked"),
}

LEGAL_GROUND = {
    LegalGround.DANGER_TO_LIFE: _l("Danger to life"),
    LegalGround.CHILD_AT_RISK: _l("A child at risk"),
}

FOLLOW_UP_STATUS = {
    FollowUpStatus.OPEN: _l("Open"),
    FollowUpStatus.DONE: _l("Done"),
    FollowUpStatus.CANCELLED: _l("Cancelled"),
}

MEETING_STATUS = {
    MeetingStatus.SCHEDULED: _l("Scheduled"),
    MeetingStatus.HELD: _l("Held"),
    MeetingStatus.CANCELLED: _l("Cancelled"),
}

AGENDA_REASON = {
    AgendaReason.HIGH_RISK: _l("High risk"),
    AgendaReason.REPEAT: _l("Repeat case"),
    AgendaReason.OVERDUE_FOLLOW_UPS: _l("Overdue follow-ups"),
    AgendaReason.DECLINED_REFERRAL: _l("Referral declined"),
    AgendaReason.ADDED_BY_HAND: _l("Added by the committee"),
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
    "closure_reason": CLOSURE_REASON,
    "consent_scope": CONSENT_SCOPE,
    "referral_service": REFERRAL_SERVICE,
    "priority": PRIORITY,
    "referral_status": REFERRAL_STATUS,
    "legal_ground": LEGAL_GROUND,
    "follow_up_status": FOLLOW_UP_STATUS,
    "risk_question": RISK_QUESTION,
    "notification_kind": NOTIFICATION_KIND,
    "order_kind": ORDER_KIND,
    "order_status": ORDER_STATUS,
    "prohibition": PROHIBITION,
    "programme_status": PROGRAMME_STATUS,
    "meeting_status": MEETING_STATUS,
    "agenda_reason": AGENDA_REASON,
}


def label(table: str, value) -> str:
    """The translated label of ``value`` in ``table``; unknown names raise."""
    return str(TABLES[table][value])
