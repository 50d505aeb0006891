"""Each step of a missed check's escalation, announced once to the agency
whose home page it reaches (run by :func:`notifications.services.check_due`,
so also by ``flask notifications check`` from cron)."""
from __future__ import annotations

from datetime import datetime

from coordination import policy
from coordination.agencies.models import Agency, AgencyType
from coordination.notifications.models import NotificationKind
from coordination.order_checks.schedule import Escalation, scheduled

#: What each level announces, and to which type of agency.
STEPS = {
    Escalation.INSPECTOR: (AgencyType.POLICE, NotificationKind.CHECK_OVERDUE),
    Escalation.HEAD: (AgencyType.POLICE, NotificationKind.CHECK_TO_HEAD),
    Escalation.COMMITTEE: (AgencyType.COMMITTEE, NotificationKind.CHECK_TO_COMMITTEE),
}


def announce_missed_checks(agency: Agency, now: datetime, notify) -> int:
    """Notify ``agency`` of each level its watched orders' missed checks reached."""
    if agency.type not in (AgencyType.POLICE, AgencyType.COMMITTEE):
        return 0
    added = 0
    for item in scheduled([policy.watched_orders(agency)], now):
        for level in Escalation:
            if level == Escalation.NONE or level > item.level:
                continue
            agency_type, kind = STEPS[level]
            if agency_type != agency.type:
                continue
            key = f"check:{level.value}:{agency.id}:{item.order.id}:{item.due:%Y%m%d%H%M}"
            added += notify(agency.id, kind, item.order.case_id, at=now,
                            dedupe_key=key) is not None
    return added
