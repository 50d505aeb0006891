"""The access policy: the one place that decides who may see and do what.

Every view and every query asks this module. Lists, searches and counts use
:func:`visible_cases` so that they can never show more than a detail page,
which loads its case through the same predicate; :func:`can` answers for one
object (``VIEW_CASE`` runs that same predicate in SQL). Access to a whole
section is :func:`may_use`. Committee meetings are their committee's alone:
:func:`visible_meetings` is the one query for them. Unknown actions or
sections raise instead of defaulting to yes.

DESIGN.md section 4 states the rules; docs/access-policy.md explains them.
"""
from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from coordination.accounts.models import Role, User
from coordination.agencies.models import Agency, AgencyType
from coordination.cases.models import Case, CaseStatus
from coordination.consent.models import ConsentScope
from coordination.extensions import db
from coordination.followups.models import FollowUp, FollowUpStatus
from coordination.meetings.models import Meeting
from coordination.referrals.models import Referral, ReferralStatus
from coordination.territories.models import Territory, TerritoryLevel


class Section(enum.Enum):
    """Parts of the application a role may or may not use at all (403)."""

    CASES = "cases"
    #: Committee meetings: users of a committee agency only.
    MEETINGS = "meetings"


class Action(enum.Enum):
    """Things a user may do; the object is named after each member."""

    VIEW_CASE = "view_case"  #: case
    #: See the restricted person fields (contacts, address or shelter). Case.
    VIEW_RESTRICTED = "view_restricted"
    EDIT_CASE = "edit_case"  #: case: status (not closing), consent, risk
    CLOSE_CASE = "close_case"  #: case: close and reopen
    REASSIGN_LEAD = "reassign_lead"  #: case
    REFER = "refer"  #: case
    ADD_FOLLOW_UP = "add_follow_up"  #: case
    ANSWER_REFERRAL = "answer_referral"  #: referral: accept, decline, start, complete
    CANCEL_REFERRAL = "cancel_referral"  #: referral
    REVOKE_REFERRAL = "revoke_referral"  #: referral
    COMPLETE_FOLLOW_UP = "complete_follow_up"  #: follow-up
    CANCEL_FOLLOW_UP = "cancel_follow_up"  #: follow-up
    SCHEDULE_MEETING = "schedule_meeting"  #: agency: a meeting of this committee
    VIEW_MEETING = "view_meeting"  #: meeting
    #: Reschedule or cancel a meeting. Meeting.
    MANAGE_MEETING = "manage_meeting"
    PREPARE_AGENDA = "prepare_agenda"  #: meeting: propose, add, remove items
    #: Record attendance and decisions, mark the meeting held. Meeting.
    RECORD_MEETING = "record_meeting"


#: A receiving agency is involved in the case while its referral is in these.
RECEIVER_INVOLVED = frozenset(
    {ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS,
     ReferralStatus.COMPLETED}
)
#: A receiving agency may see restricted fields once it has taken the referral on.
RECEIVER_ACCEPTED = frozenset(
    {ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS, ReferralStatus.COMPLETED}
)


def works_on_cases(user: User) -> bool:
    """Ministry analysts and administrators never work on cases."""
    return user.role != Role.ADMIN and user.agency.type != AgencyType.MINISTRY


def may_use(user: User, section: Section) -> bool:
    """Whether ``user`` may use ``section`` at all."""
    if not user.is_authenticated:
        return False
    if section is Section.CASES:
        return works_on_cases(user)
    if section is Section.MEETINGS:
        return works_on_cases(user) and user.agency.type == AgencyType.COMMITTEE
    raise ValueError(f"unknown section {section!r}")


# --- which cases: one predicate ----------------------------------------------


def cases_in_territory(territory: Territory) -> ColumnElement[bool]:
    """SQL predicate on :class:`Case`: cases located in ``territory`` (any level).

    A committee sees these; its meetings' agenda is proposed from them.
    """
    if territory.level == TerritoryLevel.COUNTRY:
        return sa.true()
    if territory.level == TerritoryLevel.DISTRICT:
        return Case.district_id == territory.id
    if territory.level == TerritoryLevel.MUNICIPALITY:
        return Case.municipality_id == territory.id
    districts = sa.select(Territory.id).where(Territory.parent_id == territory.id)
    return Case.district_id.in_(districts)


def _involvement_predicate(agency_id: int) -> ColumnElement[bool]:
    """Cases the agency opened, leads, referred, received or owns work on.

    The subqueries use their own aliases and correlate only to ``cases``, so
    the predicate also works in queries that already join referrals.
    """
    referral = aliased(Referral)
    follow_up = aliased(FollowUp)
    referred = (
        sa.select(referral.id)
        .where(
            referral.case_id == Case.id,
            sa.or_(
                referral.from_agency_id == agency_id,
                sa.and_(referral.to_agency_id == agency_id,
                        referral.status.in_(RECEIVER_INVOLVED)),
            ),
        )
        .correlate(Case)
        .exists()
    )
    owns_work = (
        sa.select(follow_up.id)
        .where(follow_up.case_id == Case.id, follow_up.owner_agency_id == agency_id)
        .correlate(Case)
        .exists()
    )
    return sa.or_(
        Case.opening_agency_id == agency_id,
        Case.lead_agency_id == agency_id,
        referred,
        owns_work,
    )


def case_visibility(user: User) -> ColumnElement[bool]:
    """SQL predicate on :class:`Case` selecting exactly the cases ``user`` may see."""
    if not user.is_authenticated or not works_on_cases(user):
        return sa.false()
    agency = user.agency
    involved = _involvement_predicate(agency.id)
    if agency.type == AgencyType.COMMITTEE:
        return sa.or_(cases_in_territory(agency.territory), involved)
    return involved


def visible_cases(user: User) -> sa.Select:
    """``SELECT`` of the cases ``user`` may see; callers add filters and order."""
    return sa.select(Case).where(case_visibility(user))


def _sees(user: User, case: Case) -> bool:
    query = sa.select(sa.exists().where(Case.id == case.id, case_visibility(user)))
    return bool(db.session.scalar(query))


# --- roles on one case ----------------------------------------------------------


def _in_territory(case: Case, territory: Territory) -> bool:
    if territory.level == TerritoryLevel.COUNTRY:
        return True
    if territory.level == TerritoryLevel.DISTRICT:
        return case.district_id == territory.id
    if territory.level == TerritoryLevel.MUNICIPALITY:
        return case.municipality_id == territory.id
    return case.district.parent_id == territory.id


def _is_committee_for(agency: Agency, case: Case) -> bool:
    return agency.type == AgencyType.COMMITTEE and _in_territory(case, agency.territory)


def leads(user: User, case: Case) -> bool:
    """Whether the user's agency leads the case (views of others are audited)."""
    return user.agency_id == case.lead_agency_id


def _receives_with_cover(agency: Agency, case: Case) -> bool:
    """An accepted referral to the agency, covered by consent or a legal ground."""
    consented = {
        record.agency_type for record in case.consents
        if record.scope == ConsentScope.SHARING and record.in_force
    }
    return any(
        referral.to_agency_id == agency.id and referral.status in RECEIVER_ACCEPTED
        and (referral.legal_ground is not None or agency.type in consented)
        for referral in case.referrals
    )


def _case_rule(user: User, action: Action, case: Case, sees) -> bool:
    agency = user.agency
    if action is Action.VIEW_CASE:
        return sees()
    if action is Action.VIEW_RESTRICTED:
        return (leads(user, case) or _is_committee_for(agency, case)
                or _receives_with_cover(agency, case))
    if action in (Action.REFER, Action.ADD_FOLLOW_UP):
        return case.status != CaseStatus.CLOSED and sees()
    if action is Action.EDIT_CASE:
        return leads(user, case) or _is_committee_for(agency, case)
    if action is Action.CLOSE_CASE:
        return leads(user, case) and user.role == Role.LEAD
    if action is Action.REASSIGN_LEAD:
        return user.role == Role.LEAD and (leads(user, case) or _is_committee_for(agency, case))
    raise ValueError(f"unknown case action {action!r}")


def _referral_rule(user: User, action: Action, referral: Referral) -> bool:
    if action is Action.ANSWER_REFERRAL:
        return user.agency_id == referral.to_agency_id
    if action is Action.CANCEL_REFERRAL:
        return user.agency_id == referral.from_agency_id
    if action is Action.REVOKE_REFERRAL:
        return leads(user, referral.case)
    raise ValueError(f"unknown referral action {action!r}")


def _follow_up_rule(user: User, action: Action, follow_up: FollowUp) -> bool:
    if action is Action.COMPLETE_FOLLOW_UP:
        return user.agency_id == follow_up.owner_agency_id
    if action is Action.CANCEL_FOLLOW_UP:
        return leads(user, follow_up.case)
    raise ValueError(f"unknown follow-up action {action!r}")


def _meeting_rule(user: User, action: Action, meeting: Meeting) -> bool:
    if user.agency_id != meeting.committee_id:
        return False
    if action in (Action.VIEW_MEETING, Action.PREPARE_AGENDA, Action.RECORD_MEETING):
        return True
    if action is Action.MANAGE_MEETING:
        return user.role == Role.LEAD
    raise ValueError(f"unknown meeting action {action!r}")


def can(
    user: User,
    action: Action,
    obj: Case | Referral | FollowUp | Meeting | Agency,
    case_visible: bool = False,
) -> bool:
    """Whether ``user`` may do ``action`` on ``obj``; unknown actions raise.

    Visibility of the case is checked in SQL, with the same predicate as the
    lists. ``case_visible=True`` skips that query for a caller that loaded
    the case through :func:`visible_cases` in this request (the case page
    asks about every referral and follow-up on it).
    """
    if not isinstance(action, Action):
        raise ValueError(f"unknown action {action!r}")
    if not user.is_authenticated or not works_on_cases(user):
        return False
    if isinstance(obj, Meeting):
        return may_use(user, Section.MEETINGS) and _meeting_rule(user, action, obj)
    if isinstance(obj, Agency):
        if action is not Action.SCHEDULE_MEETING:
            raise ValueError(f"unknown agency action {action!r}")
        # The committee's head schedules its meetings.
        return (may_use(user, Section.MEETINGS) and user.agency_id == obj.id
                and user.role == Role.LEAD)
    case = obj if isinstance(obj, Case) else obj.case

    def sees() -> bool:
        return case_visible or _sees(user, case)

    if isinstance(obj, Case):
        return _case_rule(user, action, obj, sees)
    if not sees():
        return False
    if isinstance(obj, Referral):
        return _referral_rule(user, action, obj)
    if isinstance(obj, FollowUp):
        return obj.status == FollowUpStatus.OPEN and _follow_up_rule(user, action, obj)
    raise ValueError(f"no rules for {type(obj).__name__}")


# --- where a user may register cases ----------------------------------------


def registration_districts(user: User) -> sa.Select:
    """``SELECT`` of the districts in which ``user`` may register a case."""
    if not works_on_cases(user):
        return sa.select(Territory).where(sa.false())
    territory = user.agency.territory
    query = sa.select(Territory).where(
        Territory.level == TerritoryLevel.DISTRICT, Territory.active.is_(True)
    )
    if territory.level == TerritoryLevel.COUNTRY:
        return query
    if territory.level == TerritoryLevel.REGION:
        return query.where(Territory.parent_id == territory.id)
    if territory.level == TerritoryLevel.MUNICIPALITY:
        return query.where(Territory.id == territory.parent_id)
    return query.where(Territory.id == territory.id)


def agencies_serving(case: Case) -> sa.Select:
    """``SELECT`` of active case-working agencies that serve the case's place.

    Those serving its district, a municipality in it, or its region; these
    may receive referrals and own follow-ups on the case.
    """
    return agencies_serving_territory(case.district)


def agencies_serving_territory(territory: Territory) -> sa.Select:
    """``SELECT`` of active case-working agencies that serve ``territory``.

    Those serving the territory itself, a territory within it, or one above
    it up to the region (a country-wide body serves everywhere and is no
    local partner). For a district: the district, its municipalities and its
    region; these are the agencies a committee of that territory invites.
    """
    above = []
    parent = territory.parent
    while parent is not None and parent.level != TerritoryLevel.COUNTRY:
        above.append(parent.id)
        parent = parent.parent
    within = sa.select(Territory.id).where(Territory.parent_id == territory.id)
    within_within = sa.select(Territory.id).where(Territory.parent_id.in_(within))
    return (
        sa.select(Agency)
        .where(
            Agency.active.is_(True),
            Agency.type != AgencyType.MINISTRY,
            sa.or_(
                Agency.territory_id.in_([territory.id, *above]),
                Agency.territory_id.in_(within),
                Agency.territory_id.in_(within_within),
            ),
        )
        .order_by(Agency.type, Agency.name)
    )


# --- committee meetings -----------------------------------------------------------


def visible_meetings(user: User) -> sa.Select:
    """``SELECT`` of the meetings ``user`` may open: their own committee's.

    Another committee's meeting answers 404, like one that does not exist.
    """
    if not may_use(user, Section.MEETINGS):
        return sa.select(Meeting).where(sa.false())
    return sa.select(Meeting).where(Meeting.committee_id == user.agency_id)
