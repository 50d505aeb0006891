"""The panels of the home page, in page order (overdue and urgent work
first): the one list a new panel is added to (docs/architecture.md)."""
from __future__ import annotations

from coordination.followups.home import due as follow_ups_due
from coordination.followups.home import without_plan as high_risk_without_plan
from coordination.meetings.home import next_meeting_panel
from coordination.order_checks.home import due as order_checks_due
from coordination.order_checks.home import escalated as order_checks_escalated
from coordination.protection.home import expiring as orders_expiring
from coordination.referrals.home import awaiting as referrals_awaiting
from coordination.safety.home import review_due as safety_plans_due
from coordination.transfers.home import awaiting as transfers_awaiting
from coordination.triage.home import waiting as reports_waiting

PANELS = (
    order_checks_escalated,
    order_checks_due,
    reports_waiting,
    orders_expiring,
    follow_ups_due,
    referrals_awaiting,
    safety_plans_due,
    transfers_awaiting,
    high_risk_without_plan,
    next_meeting_panel,
)
