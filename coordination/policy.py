"""The access policy: the one place that decides who may see and do what.

Every view and every query asks this module. Lists, searches and counts use
:func:`visible_cases` so that they can never show more than a detail page,
which loads its case through the same predicate; the administration's lists
use :func:`manageable_users`, :func:`manageable_agencies` and
:func:`directory_agencies` the same way. Access to a whole section (cases,
administration) is :func:`may_use`; access to one object is :func:`can`.
Unknown actions or sections raise instead of defaulting to yes.

DESIGN.md section 4 states the rules; docs/access-policy.md explains them.
"""
from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from coordination.accounts.models import Role, User
from coordination.agencies.models import Agency, AgencyType
from coordination.cases.models import Case
from coordination.territories.models import Territory, TerritoryLevel


class Section(enum.Enum):
    """Parts of the application a role may or may not use at all (403)."""

    CASES = "cases"
    #: User accounts: administrators for everyone, agency heads for their own agency.
    ADMINISTRATION = "administration"
    #: Agencies: create, edit, deactivate. Administrators only.
    AGENCIES = "agencies"
    #: Territory names and municipalities. Administrators only.
    REFERENCE_DATA = "reference_data"
    #: Deadlines, order durations, k, risk thresholds. Administrators only.
    SETTINGS = "settings"
    #: The read-only list of agencies and staff in a committee's territory.
    AGENCY_DIRECTORY = "agency_directory"


class Action(enum.Enum):
    """Things a user may do with one object (a case, a user, an agency)."""

    VIEW_CASE = "view_case"
    #: See the restricted person fields (contacts, address or shelter).
    VIEW_RESTRICTED = "view_restricted"
    #: Edit, deactivate, reactivate, unlock a user or reset their password.
    MANAGE_USER = "manage_user"
    #: Create users in an agency (and import them).
    CREATE_USER_IN = "create_user_in"
    #: Move a user to another agency: administrators only.
    MOVE_USER = "move_user"


def works_on_cases(user: User) -> bool:
    """Ministry analysts and administrators never work on cases."""
    return user.role != Role.ADMIN and user.agency.type != AgencyType.MINISTRY


def administers_everything(user: User) -> bool:
    """Administrators manage every agency and account (and never see a case)."""
    return user.is_authenticated and user.role == Role.ADMIN


def heads_an_agency(user: User) -> bool:
    """An agency head outside the ministry manages their own agency's members."""
    return (
        user.is_authenticated
        and user.role == Role.LEAD
        and user.agency.type != AgencyType.MINISTRY
    )


def may_use(user: User, section: Section) -> bool:
    """Whether ``user`` may use ``section`` at all."""
    if not user.is_authenticated:
        return False
    if section is Section.CASES:
        return works_on_cases(user)
    if section is Section.ADMINISTRATION:
        return administers_everything(user) or heads_an_agency(user)
    if section in (Section.AGENCIES, Section.REFERENCE_DATA, Section.SETTINGS):
        return administers_everything(user)
    if section is Section.AGENCY_DIRECTORY:
        return user.agency.type == AgencyType.COMMITTEE
    raise ValueError(f"unknown section {section!r}")


# --- which cases: one predicate, used by SQL and mirrored for loaded objects --


def territories_within(territory: Territory) -> sa.Select:
    """``SELECT`` of the ids of ``territory`` and every territory below it."""
    if territory.level == TerritoryLevel.COUNTRY:
        return sa.select(Territory.id)
    children = sa.select(Territory.id).where(Territory.parent_id == territory.id)
    return sa.select(Territory.id).where(
        sa.or_(
            Territory.id == territory.id,
            Territory.parent_id == territory.id,
            Territory.parent_id.in_(children),
        )
    )


def _territory_predicate(territory: Territory) -> ColumnElement[bool]:
    """Cases located in ``territory`` (any level)."""
    if territory.level == TerritoryLevel.COUNTRY:
        return sa.true()
    if territory.level == TerritoryLevel.DISTRICT:
        return Case.district_id == territory.id
    if territory.level == TerritoryLevel.MUNICIPALITY:
        return Case.municipality_id == territory.id
    districts = sa.select(Territory.id).where(Territory.parent_id == territory.id)
    return Case.district_id.in_(districts)


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


def _is_involved(agency: Agency, case: Case) -> bool:
    return agency.id in (case.opening_agency_id, case.lead_agency_id)


def case_visibility(user: User) -> ColumnElement[bool]:
    """SQL predicate on :class:`Case` selecting exactly the cases ``user`` may see."""
    if not user.is_authenticated or not works_on_cases(user):
        return sa.false()
    agency = user.agency
    involved = sa.or_(
        Case.opening_agency_id == agency.id,
        Case.lead_agency_id == agency.id,
    )
    if agency.type == AgencyType.COMMITTEE:
        return sa.or_(_territory_predicate(agency.territory), involved)
    return involved


def visible_cases(user: User) -> sa.Select:
    """``SELECT`` of the cases ``user`` may see; callers add filters and order."""
    return sa.select(Case).where(case_visibility(user))


def can(user: User, action: Action, obj) -> bool:
    """Whether ``user`` may do ``action`` on ``obj``; unknown actions raise.

    ``obj`` is a :class:`Case` for the case actions, a :class:`User` for
    ``MANAGE_USER`` and ``MOVE_USER``, an :class:`Agency` for ``CREATE_USER_IN``.
    """
    if action in (Action.VIEW_CASE, Action.VIEW_RESTRICTED):
        return _can_on_case(user, action, obj)
    if action is Action.MANAGE_USER:
        return can_manage_user(user, obj)
    if action is Action.MOVE_USER:
        return administers_everything(user) and can_manage_user(user, obj)
    if action is Action.CREATE_USER_IN:
        return _may_create_users_in(user, obj)
    raise ValueError(f"unknown action {action!r}")


def _can_on_case(user: User, action: Action, case: Case) -> bool:
    if not user.is_authenticated or not works_on_cases(user):
        return False
    agency = user.agency
    if action is Action.VIEW_CASE:
        return _is_committee_for(agency, case) or _is_involved(agency, case)
    return agency.id == case.lead_agency_id or _is_committee_for(agency, case)


def leads(user: User, case: Case) -> bool:
    """Whether the user's agency leads the case (views of others are audited)."""
    return user.agency_id == case.lead_agency_id


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


# --- administration: whose accounts, which agencies --------------------------


def manageable_users(user: User) -> sa.Select:
    """``SELECT`` of the users ``user`` may manage; callers add filters and order.

    Administrators: everyone. An agency head: their own agency's members and
    heads, never an administrator. Anyone else: nobody.
    """
    if administers_everything(user):
        return sa.select(User)
    if heads_an_agency(user):
        return sa.select(User).where(User.agency_id == user.agency_id, User.role != Role.ADMIN)
    return sa.select(User).where(sa.false())


def can_manage_user(user: User, target: User) -> bool:
    """The object form of :func:`manageable_users`."""
    if administers_everything(user):
        return True
    return (
        heads_an_agency(user)
        and target.agency_id == user.agency_id
        and target.role != Role.ADMIN
    )


def manageable_agencies(user: User) -> sa.Select:
    """``SELECT`` of the agencies in which ``user`` may create users."""
    if administers_everything(user):
        return sa.select(Agency)
    if heads_an_agency(user):
        return sa.select(Agency).where(Agency.id == user.agency_id)
    return sa.select(Agency).where(sa.false())


def _may_create_users_in(user: User, agency: Agency) -> bool:
    return administers_everything(user) or (heads_an_agency(user) and agency.id == user.agency_id)


def assignable_roles(user: User) -> list[Role]:
    """Roles ``user`` may give: an agency head never makes an administrator."""
    if administers_everything(user):
        return list(Role)
    if heads_an_agency(user):
        return [Role.MEMBER, Role.LEAD]
    return []


def directory_agencies(user: User) -> sa.Select:
    """``SELECT`` of the active agencies a committee's directory lists: those
    serving the committee's territory or a territory within it."""
    if not may_use(user, Section.AGENCY_DIRECTORY):
        return sa.select(Agency).where(sa.false())
    return sa.select(Agency).where(
        Agency.active.is_(True),
        Agency.territory_id.in_(territories_within(user.agency.territory)),
    )

