"""Queries over the territorial hierarchy (region > district > municipality).

Facts of geography, not decisions about access: the policy uses them to say
who sees what, the administration's lists to filter.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from coordination.agencies.models import NOT_CASE_WORKING, Agency
from coordination.territories.models import Territory, TerritoryLevel


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


def located_in(territory: Territory, district_id, municipality_id) -> ColumnElement[bool]:
    """SQL predicate: a row whose place is ``district_id`` / ``municipality_id``
    (columns) lies in ``territory`` (any level). Each level compares one
    indexed column."""
    if territory.level == TerritoryLevel.COUNTRY:
        return sa.true()
    if territory.level == TerritoryLevel.DISTRICT:
        return district_id == territory.id
    if territory.level == TerritoryLevel.MUNICIPALITY:
        return municipality_id == territory.id
    districts = sa.select(Territory.id).where(Territory.parent_id == territory.id)
    return district_id.in_(districts)


def place_in(territory: Territory, district: Territory, municipality_id: int | None) -> bool:
    """The object form of :func:`located_in` for a loaded place."""
    if territory.level == TerritoryLevel.COUNTRY:
        return True
    if territory.level == TerritoryLevel.DISTRICT:
        return district.id == territory.id
    if territory.level == TerritoryLevel.MUNICIPALITY:
        return municipality_id == territory.id
    return district.parent_id == territory.id


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
            Agency.type.not_in(sorted(NOT_CASE_WORKING)),
            sa.or_(
                Agency.territory_id.in_([territory.id, *above]),
                Agency.territory_id.in_(within),
                Agency.territory_id.in_(within_within),
            ),
        )
        .order_by(Agency.type, Agency.name)
    )
