"""What the viewer's agency should do next on a case (coordination/next_step.py):
the most urgent item, from what the page loaded."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from types import SimpleNamespace

from coordination.cases.models import CaseStatus, RiskLevel
from coordination.consent.models import ConsentRecord
from coordination.followups.models import FollowUp, FollowUpStatus
from coordination.next_step import (
    ANSWER_REFERRAL,
    NEXT_FOLLOW_UP,
    NOTHING,
    ORDER_ENDING,
    OVERDUE_FOLLOW_UP,
    PLAN_FOLLOW_UPS,
    RECORD_CONSENT,
    next_step,
)
from coordination.protection.models import ProtectionOrder
from coordination.referrals.models import Referral, ReferralStatus

NOW = datetime(2026, 12, 7, 10, 0)
TODAY = NOW.date()
OURS, OTHERS = 1, 2
ALL = {"referrals", "follow-ups", "orders", "consent"}


def _case(lead=OURS, risk=RiskLevel.MEDIUM, status=CaseStatus.ACTIVE, referrals=(),
          follow_ups=(), orders=(), consent=True):
    return SimpleNamespace(
        lead_agency_id=lead, risk_level=risk, status=status, referrals=list(referrals),
        follow_ups=list(follow_ups), protection_orders=list(orders),
        consents=[ConsentRecord(withdrawn_at=None)] if consent else [])


def _referral(to=OURS, status=ReferralStatus.SENT, due_in=timedelta(hours=20), id=1):
    return Referral(id=id, to_agency_id=to, status=status, respond_by=NOW + due_in)


def _follow_up(owner=OURS, due=TODAY + timedelta(days=3), status=FollowUpStatus.OPEN, id=1):
    return FollowUp(id=id, owner_agency_id=owner, due_on=due, status=status, action="Visit")


def _order(issuer=OTHERS, ends_in=timedelta(hours=10), id=1):
    return ProtectionOrder(id=id, issuing_agency_id=issuer, valid_until=NOW + ends_in,
                           revoked_at=None)


def _step(case, agency=OURS, shown=ALL):
    return next_step(agency, case, now=NOW, warning_hours=24, shown=shown)


def test_nothing_is_due_on_a_quiet_case():
    assert _step(_case()).kind == NOTHING
    assert _step(_case(lead=OTHERS, consent=False, risk=RiskLevel.HIGH)).kind == NOTHING


def test_a_referral_to_answer_comes_first_the_one_due_soonest():
    later = _referral(due_in=timedelta(hours=30), id=1)
    sooner = _referral(due_in=-timedelta(hours=2), id=2)
    case = _case(referrals=[later, sooner, _referral(to=OTHERS, id=3)],
                 follow_ups=[_follow_up(due=TODAY - timedelta(days=2))], orders=[_order(OURS)],
                 consent=False)
    step = _step(case)
    assert (step.kind, step.subject, step.section, step.overdue) == (
        ANSWER_REFERRAL, sooner, "referrals", True)


def test_answered_referrals_and_referrals_to_others_are_not_to_answer():
    case = _case(referrals=[_referral(status=ReferralStatus.ACCEPTED), _referral(to=OTHERS)])
    assert _step(case).kind == NOTHING


def test_an_overdue_follow_up_of_the_agency_before_an_ending_order():
    overdue = _follow_up(due=TODAY - timedelta(days=1))
    case = _case(follow_ups=[_follow_up(id=2), overdue], orders=[_order(OURS)])
    step = _step(case)
    assert (step.kind, step.subject, step.overdue) == (OVERDUE_FOLLOW_UP, overdue, True)
    # Another agency's overdue follow-up is not ours to do.
    case = _case(follow_ups=[_follow_up(owner=OTHERS, due=TODAY - timedelta(days=1))])
    assert _step(case).kind == NOTHING


def test_an_order_ending_within_the_window_for_its_issuer_or_the_lead():
    ending = _order(issuer=OURS)
    assert _step(_case(lead=OTHERS, orders=[ending])).subject is ending
    assert _step(_case(lead=OTHERS, orders=[ending])).kind == ORDER_ENDING
    # Issued by another agency on a case we lead: ours too.
    assert _step(_case(orders=[_order(issuer=OTHERS)])).kind == ORDER_ENDING
    # Neither issued nor led: not ours; beyond the window or ended: nothing yet.
    assert _step(_case(lead=OTHERS, orders=[_order(OTHERS)])).kind == NOTHING
    assert _step(_case(orders=[_order(OURS, ends_in=timedelta(hours=30))])).kind == NOTHING
    assert _step(_case(orders=[_order(OURS, ends_in=-timedelta(hours=1))])).kind == NOTHING


def test_a_high_risk_case_led_without_any_open_follow_up_needs_a_plan():
    step = _step(_case(risk=RiskLevel.HIGH, consent=False))
    assert (step.kind, step.section, step.form) == (PLAN_FOLLOW_UPS, "follow-ups", "add-follow-up")
    # Any open follow-up (another agency's too) is a plan; a done one is not.
    assert _step(_case(risk=RiskLevel.HIGH, follow_ups=[_follow_up(owner=OTHERS)])
                 ).kind == NOTHING
    done = _follow_up(status=FollowUpStatus.DONE)
    assert _step(_case(risk=RiskLevel.HIGH, follow_ups=[done])).kind == PLAN_FOLLOW_UPS
    # Not the lead, or a closed case: not asked.
    assert _step(_case(lead=OTHERS, risk=RiskLevel.HIGH)).kind == NOTHING
    assert _step(_case(risk=RiskLevel.HIGH, status=CaseStatus.CLOSED)).kind == NOTHING


def test_the_lead_records_missing_consent_before_its_next_follow_up():
    step = _step(_case(consent=False, follow_ups=[_follow_up()]))
    assert (step.kind, step.section, step.form) == (RECORD_CONSENT, "consent", "record-consent")
    withdrawn = _case(consent=False)
    withdrawn.consents = [ConsentRecord(withdrawn_at=NOW - timedelta(days=1))]
    assert _step(withdrawn).kind == RECORD_CONSENT
    assert _step(_case(lead=OTHERS, consent=False)).kind == NOTHING


def test_the_next_follow_up_of_the_agency_the_soonest():
    later, sooner = _follow_up(id=1, due=TODAY + timedelta(days=9)), _follow_up(id=2)
    step = _step(_case(follow_ups=[later, sooner, _follow_up(owner=OTHERS, id=3,
                                                              due=TODAY)]))
    assert (step.kind, step.subject, step.overdue) == (NEXT_FOLLOW_UP, sooner, False)


def test_only_what_the_viewer_s_sections_show_is_read():
    case = _case(referrals=[_referral()], follow_ups=[_follow_up(due=date(2026, 1, 1))],
                 orders=[_order(OURS)], consent=False)
    assert _step(case, shown={"orders", "consent"}).kind == ORDER_ENDING
    assert _step(case, shown={"consent"}).kind == RECORD_CONSENT
    assert _step(case, shown=set()).kind == NOTHING
