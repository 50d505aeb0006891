"""When each active order must be checked next, and how far a missed check
has escalated. Derived from dates at read time (like overdue follow-ups):
nothing about the schedule is stored except each check's own due time.

The interval is a setting by risk and kind: high risk every
``order_check_hours_high`` whatever the kind; otherwise a temporary order
every ``order_check_hours_normal`` and court restrictions every
``order_check_hours_court``. The first check is due no later than the
order's end, so every order is checked at least once before it expires.
Expiry or revocation ends the schedule; court restrictions recorded after a
temporary order have their own schedule from their issue, so the checking
continues.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased, joinedload

from coordination.cases.models import RiskLevel
from coordination.extensions import db
from coordination.order_checks.models import OrderCheck
from coordination.protection.models import OrderKind, ProtectionOrder
from coordination.settings.services import all_settings


class Escalation(enum.IntEnum):
    """How far an overdue check has gone; each level adds a reader."""

    NONE = 0  #: not due yet
    INSPECTOR = 1  #: overdue: the owning inspector's home page
    HEAD = 2  #: past the grace period: the police agency head's too
    COMMITTEE = 3  #: past the longer one: the committee's, and its next agenda

    @property
    def label(self):
        return ESCALATION_LABELS[self]


ESCALATION_LABELS = {
    Escalation.NONE: _l("Due"),
    Escalation.INSPECTOR: _l("Overdue"),
    Escalation.HEAD: _l("Overdue: with the agency head"),
    Escalation.COMMITTEE: _l("Overdue: with the committee"),
}


def interval(order: ProtectionOrder, level: RiskLevel | None, settings: dict) -> timedelta:
    if level == RiskLevel.HIGH:
        hours = settings["order_check_hours_high"]
    elif order.kind == OrderKind.COURT:
        hours = settings["order_check_hours_court"]
    else:
        hours = settings["order_check_hours_normal"]
    return timedelta(hours=hours)


def next_due(order: ProtectionOrder, level: RiskLevel | None, last_check: datetime | None,
             settings: dict) -> datetime | None:
    """When the next check is due; None when no check is due before the end."""
    due = (last_check or order.issued_at) + interval(order, level, settings)
    if last_check is None:
        return min(due, order.valid_until)
    return due if due < order.valid_until else None


def escalation(due: datetime | None, now: datetime, settings: dict) -> Escalation:
    if due is None or now <= due:
        return Escalation.NONE
    late = now - due
    if late >= timedelta(hours=settings["order_check_committee_hours"]):
        return Escalation.COMMITTEE
    if late >= timedelta(hours=settings["order_check_grace_hours"]):
        return Escalation.HEAD
    return Escalation.INSPECTOR


@dataclass(frozen=True)
class Scheduled:
    """One active order with its next check."""

    order: ProtectionOrder
    last_check: datetime | None
    due: datetime | None
    level: Escalation


def last_check():
    """Scalar subquery: the order's latest stated check time (corrections
    excluded: they keep the time of the record they correct). Correlated, so
    that each active order reads its own checks by index, never the table."""
    return (sa.select(sa.func.max(OrderCheck.stated_at))
            .where(OrderCheck.order_id == ProtectionOrder.id, OrderCheck.corrects_id.is_(None))
            .correlate(ProtectionOrder).scalar_subquery().label("last"))


_ORDER = aliased(ProtectionOrder)


def scheduled(where, now: datetime, settings: dict | None = None) -> list[Scheduled]:
    """The active orders matching ``where`` (SQL on the order joined to its
    case), each with its next check, soonest first; one query."""
    settings = settings or all_settings()
    # The active orders, from the index on their end: few (an order lasts
    # weeks), whatever the territory's history. Said as a set of ids so that
    # the planners start from it rather than from the territory's cases
    # (SQLite walked a district's 6,000 cases at 200,000 for 400 active orders).
    active = sa.select(_ORDER.id).where(_ORDER.revoked_at.is_(None), _ORDER.valid_until > now)
    rows = db.session.execute(
        sa.select(ProtectionOrder, last_check()).join(ProtectionOrder.case)
        .where(ProtectionOrder.id.in_(active),
               ProtectionOrder.revoked_at.is_(None), ProtectionOrder.valid_until > now,
               ProtectionOrder.issued_at <= now, *where)
        .options(joinedload(ProtectionOrder.case), joinedload(ProtectionOrder.recorded_by)))
    result = []
    for order, last_at in rows:
        due = next_due(order, order.case.risk_level, last_at, settings)
        result.append(Scheduled(order, last_at, due, escalation(due, now, settings)))
    return sorted(result, key=lambda s: (s.due is None, s.due or now))


def schedule_of(order: ProtectionOrder, now: datetime, settings: dict | None = None
                ) -> Scheduled | None:
    """One order's schedule (None when it is not active)."""
    found = scheduled([ProtectionOrder.id == order.id], now, settings)
    return found[0] if found else None


def escalated_case_ids(now: datetime, level: Escalation = Escalation.COMMITTEE,
                       where=()) -> set[int]:
    """The cases with an active order whose missed check reached ``level``."""
    return {s.order.case_id for s in scheduled(list(where), now) if s.level >= level}

