"""What the viewer's agency should do next on a case: the line at the top of
the case page's summary (issue 15).

It reads only what the page has already loaded (the referrals, follow-ups,
orders and consents the sections asked for), so it costs no query. It sits
beside ``case_sections.py``, which knows every domain: ``cases`` never
imports the domains built on it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from coordination.cases.models import CaseStatus, RiskLevel
from coordination.followups.models import FollowUpStatus
from coordination.models_base import utcnow
from coordination.referrals.models import ReferralStatus

#: The kinds of next step, most urgent first.
ANSWER_REFERRAL = "answer_referral"
OVERDUE_FOLLOW_UP = "overdue_follow_up"
ORDER_ENDING = "order_ending"
PLAN_FOLLOW_UPS = "plan_follow_ups"
RECORD_CONSENT = "record_consent"
NEXT_FOLLOW_UP = "next_follow_up"
NOTHING = "nothing"


@dataclass(frozen=True)
class NextStep:
    kind: str
    #: The section it is done in (its anchor), and the form there, if any.
    section: str | None = None
    form: str | None = None
    #: The referral, follow-up or order it is about.
    subject: object | None = None
    overdue: bool = False


def next_step(agency_id: int | None, case, *, now: datetime, warning_hours: int,
              shown: set[str]) -> NextStep:
    """The most urgent thing for the agency ``agency_id`` on ``case``.

    In order: a referral to the agency awaiting its answer (the one due
    first); a follow-up it owns that is overdue; an order in force ending
    within the warning window that it issued, or on a case it leads; on an
    open case it leads, a high risk with no open follow-up (no plan), then no
    consent in force; the next follow-up it owns; else nothing. Only what the
    viewer's sections show (``shown``, their keys) is read.
    """
    today = now.date()
    if "referrals" in shown:
        to_answer = [r for r in case.referrals
                     if r.to_agency_id == agency_id and r.status == ReferralStatus.SENT]
        if to_answer:
            referral = min(to_answer, key=lambda r: (r.respond_by, r.id))
            return NextStep(ANSWER_REFERRAL, "referrals", subject=referral,
                            overdue=referral.is_overdue(now))
    open_follow_ups = ([f for f in case.follow_ups if f.status == FollowUpStatus.OPEN]
                       if "follow-ups" in shown else [])
    owned = sorted((f for f in open_follow_ups if f.owner_agency_id == agency_id),
                   key=lambda f: (f.due_on, f.id))
    if owned and owned[0].is_overdue(today):
        return NextStep(OVERDUE_FOLLOW_UP, "follow-ups", subject=owned[0], overdue=True)
    leads = case.lead_agency_id == agency_id
    if "orders" in shown:
        ending = [o for o in case.protection_orders if o.expires_soon(now, warning_hours)
                  and (leads or o.issuing_agency_id == agency_id)]
        if ending:
            return NextStep(ORDER_ENDING, "orders",
                            subject=min(ending, key=lambda o: (o.valid_until, o.id)))
    if leads and case.status != CaseStatus.CLOSED:
        if ("follow-ups" in shown and case.risk_level == RiskLevel.HIGH
                and not open_follow_ups):
            return NextStep(PLAN_FOLLOW_UPS, "follow-ups", form="add-follow-up")
        if "consent" in shown and not any(c.in_force for c in case.consents):
            return NextStep(RECORD_CONSENT, "consent", form="record-consent")
    if owned:
        return NextStep(NEXT_FOLLOW_UP, "follow-ups", subject=owned[0])
    return NextStep(NOTHING)


def for_page(user, page) -> NextStep:
    """The next step of ``user``'s agency on the case page ``page`` (its
    sections built, with what they loaded)."""
    return next_step(user.agency_id, page.case, now=utcnow(),
                     warning_hours=current_app.config["ORDER_WARNING_HOURS"],
                     shown={section.key for section in page.sections})
