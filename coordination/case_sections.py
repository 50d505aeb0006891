"""The sections of the case page, in page order: the one list a new section
is added to (docs/architecture.md). Each domain declares its own in its
``section.py``; the case domain never imports them."""
from __future__ import annotations

from coordination.cases import section as case
from coordination.consent.section import section as consent
from coordination.followups.section import section as follow_ups
from coordination.programmes.section import section as programme
from coordination.protection.section import section as orders
from coordination.referrals.section import section as referrals
from coordination.risk.section import section as risk
from coordination.transfers.section import section as transfer

SECTIONS = (
    case.summary,
    case.people,
    consent,
    risk,
    orders,
    programme,
    referrals,
    follow_ups,
    transfer,
    case.incidents,
    case.timeline,
)
