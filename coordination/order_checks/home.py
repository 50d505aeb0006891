"""The home page's panels for order checks.

The owning inspector (who recorded the order) sees the checks due within a
day and those overdue; the police agency's head the missed checks past the
grace period; a committee those past the longer period on its territory's
cases. Read-time, from dates (:mod:`coordination.order_checks.schedule`).
"""
from __future__ import annotations

from datetime import timedelta

from coordination import policy
from coordination.accounts.models import Role
from coordination.agencies.models import AgencyType
from coordination.home import HomePanel, first_rows
from coordination.order_checks.schedule import Escalation, scheduled
from coordination.protection.models import ProtectionOrder

#: Checks due within this horizon are on the inspector's day.
HORIZON = timedelta(hours=24)


def _shown(key: str, found: list, now) -> dict | None:
    """The most overdue first, ten unless all are asked for."""
    if not found:
        return None
    return {"checks": first_rows(key, found), "total": len(found), "now": now, "key": key}


def _due(user, now):
    if user.agency.type != AgencyType.POLICE:
        return None
    found = [s for s in scheduled([ProtectionOrder.recorded_by_id == user.id,
                                   ProtectionOrder.issuing_agency_id == user.agency_id,
                                   policy.case_visibility(user)], now)
             if s.due is not None and s.due <= now + HORIZON]
    return _shown("order-checks-due", found, now)


def _escalated(user, now):
    agency = user.agency
    if agency.type == AgencyType.POLICE and user.role == Role.LEAD:
        level = Escalation.HEAD
    elif agency.type == AgencyType.COMMITTEE:
        level = Escalation.COMMITTEE
    else:
        return None
    found = [s for s in scheduled([policy.watched_orders(agency),
                                   policy.case_visibility(user)], now)
             if s.level >= level]
    return _shown("order-checks-escalated", found, now)


due = HomePanel("order-checks-due", "order_checks/home_due.html", _due)
escalated = HomePanel("order-checks-escalated", "order_checks/home_escalated.html", _escalated)
