"""The sections of the case page, in page order: the one list a new section
is added to (docs/architecture.md). Each domain declares its own in its
``section.py``; the case domain never imports them."""
from __future__ import annotations

from coordination.cases import section as case
from coordination.caseviews.section import section as case_views
from coordination.consent.section import section as consent
from coordination.documents.section import section as documents
from coordination.followups.section import section as follow_ups
from coordination.notes.section import section as notes
from coordination.order_checks.section import section as order_checks
from coordination.printing.section import section as printing
from coordination.programmes.section import section as programme
from coordination.protection.section import section as orders
from coordination.referrals.section import section as referrals
from coordination.risk.section import section as risk
from coordination.safety.section import section as safety_plan
from coordination.transfers.section import section as transfer

SECTIONS = (
    case.summary,
    case.people,
    consent,
    risk,
    safety_plan,
    orders,
    order_checks,
    programme,
    referrals,
    follow_ups,
    notes,
    documents,
    transfer,
    case.incidents,
    case.timeline,
    case_views,
    printing,
)
