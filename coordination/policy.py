"""The access policy: the one place that decides who may see and do what.

Every view and every query asks this module. Lists, searches and counts use
:func:`visible_cases` so that they can never show more than a detail page,
which loads its case through the same predicate. Access to a whole section
(cases, administration) is :func:`may_use`; access to one object is
:func:`can`. Unknown actions or sections raise instead of defaulting to yes.

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


class Action(enum.Enum):
    """Things a user may do with one case."""

    VIEW_CASE = "view_case"
    #: See the restricted person fields (contacts, address or shelter).
    VIEW_RESTRICTED = "view_restricted"


def works_on_cases(user: User) -> bool:
    """Ministry analysts and administrators never work on cases."""
    return user.role != Role.ADMIN and user.agency.type != AgencyType.MINISTRY


def may_use(user: User, section: Section) -> bool:
    """Whether ``user`` may use ``section`` at all."""
    if not user.is_authenticated:
        return False
    if section is Section.CASES:
        return works_on_cases(user)
    raise ValueError(f"unknown section {section!r}")


# --- which cases: one predicate, used by SQL and mirrored for loaded objects --


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


def can(user: User, action: Action, case: Case) -> bool:
    """Whether ``user`` may do ``action`` on ``case``; unknown actions raise."""
    if not user.is_authenticated or not works_on_cases(user):
        return False
    agency = user.agency
    if action is Action.VIEW_CASE:
        return _is_committee_for(agency, case) or _is_involved(agency, case)
    if action is Action.VIEW_RESTRICTED:
        return agency.id == case.lead_agency_id or _is_committee_for(agency, case)
    raise ValueError(f"unknown action {action!r}")


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
