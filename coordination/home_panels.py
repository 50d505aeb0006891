"""The panels of the home page, in page order (overdue and urgent work
first): the one list a new panel is added to (docs/architecture.md)."""
from __future__ import annotations

from coordination.protection.home import expiring as orders_expiring
from coordination.referrals.home import awaiting as referrals_awaiting
from coordination.triage.home import waiting as reports_waiting

PANELS = (
    reports_waiting,
    orders_expiring,
    referrals_awaiting,
)
