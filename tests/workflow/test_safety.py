"""Risk assessment, the repeat rule, protection orders, correctional programmes."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from coordination import policy
from coordination.cases import services as case_services
from coordination.cases.models import RiskLevel, ViolenceForm
from coordination.extensions import db
from coordination.followups.models import FollowUpStatus
from coordination.programmes import services as programmes
from coordination.programmes.models import ProgrammeStatus
from coordination.protection import services as orders
from coordination.protection.models import OrderKind, OrderStatus
from coordination.referrals.models import LegalGround
from coordination.refusals import RuleBroken, Stale
from coordination.risk import services as risk
from tests.helpers import csrf_token, pid
from tests.workflow.conftest import NOW

# --- risk ----------------------------------------------------------------------------


@pytest.mark.parametrize(("yes", "level"), [(0, "standard"), (9, "standard"), (10, "medium"),
                                            (13, "medium"), (14, "high"), (24, "high")])
def test_score_to_level_by_the_thresholds(app, yes, level):
    assert risk.scored_level(yes) == RiskLevel(level)


def test_thresholds_come_from_the_settings(app, user):
    from coordination.settings.services import update_settings

    assert risk.scored_level(12) == RiskLevel.MEDIUM
    update_settings(user("admin"), {"risk_high_threshold": 12})
    assert risk.scored_level(12) == RiskLevel.HIGH


def _yes(n):
    return set(risk.questions()[:n])


def test_assessment_sets_the_case_level(new_case, user):
    case = new_case()
    assessment = risk.assess(user("coordinator.sokuluk"), case, _yes(15))
    assert assessment.score == 15 and case.risk_level == RiskLevel.HIGH
    assert assessment.answers[risk.questions()[0]] is True
    assert assessment.answers[risk.questions()[-1]] is False


def test_judgement_raises_with_a_reason_never_lowers(new_case, user):
    case = new_case()
    coordinator = user("coordinator.sokuluk")
    with pytest.raises(RuleBroken, match="why"):
        risk.assess(coordinator, case, _yes(3), RiskLevel.HIGH)
    raised = risk.assess(coordinator, case, _yes(3), RiskLevel.HIGH, "Угрожал ножом вчера")
    assert raised.scored_level == RiskLevel.STANDARD and case.risk_level == RiskLevel.HIGH
    with pytest.raises(RuleBroken, match="never lower"):
        risk.assess(coordinator, case, _yes(14), RiskLevel.MEDIUM, "Стало спокойнее")
    assert case.risk_level == RiskLevel.HIGH


def test_unknown_questions_and_outsiders_are_refused(new_case, user):
    case = new_case()
    with pytest.raises(RuleBroken):
        risk.assess(user("coordinator.sokuluk"), case, {"made_up"})
    with pytest.raises(PermissionError):
        risk.assess(user("police.karasuu"), case, _yes(2))


def test_high_risk_assessment_makes_new_referrals_urgent(new_case, user, agency):
    from coordination.referrals.models import LegalGround, Priority, ReferralService
    from coordination.referrals.services import send_referral

    case = new_case()
    coordinator = user("coordinator.sokuluk")
    risk.assess(coordinator, case, _yes(16))
    referral = send_referral(coordinator, case, agency("SOKULUK-HEALTH").id,
                             ReferralService.MEDICAL, Priority.NORMAL, LegalGround.DANGER_TO_LIFE)
    assert referral.priority == Priority.URGENT


# --- the repeat rule -------------------------------------------------------------------


def _incident(day: date) -> case_services.IncidentData:
    return case_services.IncidentData(occurred_on=day, forms=[ViolenceForm.THREAT],
                                      place="shared_home", reported_by="neighbour")


def test_another_incident_within_12_months_makes_a_repeat(new_case, user):
    case = new_case()  # its first incident: 2026-11-18
    coordinator = user("coordinator.sokuluk")
    assert not case.is_repeat
    case_services.record_incident(coordinator, case, _incident(date(2025, 11, 1)), now=NOW)
    assert not case.is_repeat  # 382 days apart
    case_services.record_incident(coordinator, case, _incident(date(2026, 6, 1)), now=NOW)
    assert case.is_repeat


def test_incident_in_the_future_is_refused(new_case, user):
    with pytest.raises(RuleBroken):
        case_services.record_incident(user("coordinator.sokuluk"), new_case(),
                                      _incident(NOW.date() + timedelta(days=1)), now=NOW)


# --- protection orders --------------------------------------------------------------------


def _police_case(new_case):
    return new_case(opened_by="police.sokuluk")


def _temporary(user, case, issued=NOW - timedelta(hours=2)):
    return orders.record_order(user("police.sokuluk"), case, orders.OrderData(
        kind=OrderKind.TEMPORARY, issued_at=issued,
        prohibitions={"prohibits_violence", "prohibits_contact"}), now=NOW)


def test_temporary_order_lasts_three_days_and_extends_to_thirty(new_case, user):
    order = _temporary(user, _police_case(new_case))
    issued = NOW - timedelta(hours=2)
    assert order.valid_until == issued + timedelta(days=3)
    assert order.status(NOW) == OrderStatus.ACTIVE
    assert order.status(issued + timedelta(days=3)) == OrderStatus.EXPIRED
    orders.extend_order(user("police.sokuluk"), order, order.version, now=NOW)
    assert order.valid_until == issued + timedelta(days=30)
    with pytest.raises(RuleBroken, match="only once"):
        orders.extend_order(user("police.sokuluk"), order, order.version, now=NOW)


def test_durations_come_from_the_settings(app, new_case, user):
    from coordination.settings.services import update_settings

    update_settings(user("admin"), {"temporary_order_days": 5})
    order = _temporary(user, _police_case(new_case))
    assert order.valid_until == NOW - timedelta(hours=2) + timedelta(days=5)


def test_only_police_record_temporary_orders(new_case, user):
    case = new_case()  # opened by the committee, led by social protection
    for username in ("coordinator.sokuluk", "social.sokuluk"):
        with pytest.raises(PermissionError):
            orders.record_order(user(username), case, orders.OrderData(
                kind=OrderKind.TEMPORARY, issued_at=NOW))


def test_court_restrictions_up_to_three_months_with_monitoring(new_case, user):
    case = new_case()
    coordinator = user("coordinator.sokuluk")
    with pytest.raises(RuleBroken, match="1 to 3 months"):
        orders.record_order(coordinator, case, orders.OrderData(
            kind=OrderKind.COURT, issued_at=NOW, months=4), now=NOW)
    order = orders.record_order(coordinator, case, orders.OrderData(
        kind=OrderKind.COURT, issued_at=datetime(2026, 11, 30, 10), months=3,
        electronic_monitoring=True), now=datetime(2026, 12, 1))
    assert order.valid_until == datetime(2027, 2, 28, 10)  # the day clamped
    monitored = orders.OrderData(kind=OrderKind.TEMPORARY, issued_at=NOW,
                                 electronic_monitoring=True)
    with pytest.raises(RuleBroken, match="court restrictions only"):
        orders.record_order(user("police.sokuluk"), _police_case(new_case), monitored, now=NOW)


def test_violation_creates_an_urgent_police_follow_up(new_case, user, agency):
    case = _police_case(new_case)
    order = _temporary(user, case)
    violation = orders.record_violation(user("social.sokuluk"), order, NOW - timedelta(hours=1),
                                        now=NOW)
    db.session.refresh(case)
    follow_up = next(f for f in case.follow_ups if f.id == violation.follow_up_id)
    assert follow_up.owner_agency.code == "SOKULUK-POLICE"
    assert follow_up.due_on == NOW.date() and follow_up.status == FollowUpStatus.OPEN
    with pytest.raises(RuleBroken):
        orders.record_violation(user("social.sokuluk"), order, NOW + timedelta(hours=1), now=NOW)


def test_only_the_issuing_agency_revokes_and_stale_is_refused(new_case, user):
    order = _temporary(user, _police_case(new_case))
    with pytest.raises(PermissionError):
        orders.revoke_order(user("social.sokuluk"), order, order.version, "Court", now=NOW)
    seen = order.version
    orders.extend_order(user("police.sokuluk"), order, seen, now=NOW)
    db.session.flush()
    with pytest.raises(Stale):
        orders.revoke_order(user("police.sokuluk"), order, seen, "Court", now=NOW)
    with pytest.raises(RuleBroken, match="reason"):
        orders.revoke_order(user("police.sokuluk"), order, order.version, " ", now=NOW)
    orders.revoke_order(user("police.sokuluk"), order, order.version,
                        "The court set the order aside", now=NOW)
    assert order.status(NOW) == OrderStatus.REVOKED


def test_expiring_orders_on_police_and_committee_inboxes(new_case, user, login_as):
    from coordination.models_base import utcnow

    now = utcnow()
    case = _police_case(new_case)
    order = orders.record_order(user("police.sokuluk"), case, orders.OrderData(
        kind=OrderKind.TEMPORARY, issued_at=now - timedelta(days=2, hours=12)), now=now)
    db.session.commit()
    assert order.expires_soon(now)
    for username in ("police.sokuluk", "coordinator.sokuluk"):
        assert order in orders.expiring_orders(user(username), now)
    assert orders.expiring_orders(user("social.sokuluk"), now) == []
    assert orders.expiring_orders(user("police.karasuu"), now) == []
    page = login_as("police.sokuluk").get("/referrals").text
    assert "Protection orders expiring within 24 hours" in page and case.reference in page


def test_police_record_an_order_through_the_page(new_case, login_as):
    case = _police_case(new_case)
    client = login_as("police.sokuluk")
    page = client.get(f"/cases/{pid(case)}")
    response = client.post(f"/cases/{pid(case)}/orders", data={
        "csrf_token": csrf_token(page.text), "kind": "temporary",
        "issued_at": "2026-11-20T10:30", "prohibitions": ["prohibits_violence",
                                                         "prohibits_weapons"]},
        follow_redirects=True)
    assert "Protection order recorded." in response.text
    db.session.refresh(case)
    order = case.protection_orders[0]
    assert order.issued_at == datetime(2026, 11, 20, 4, 30)  # Bishkek is UTC+6
    assert order.prohibitions == ["prohibits_violence", "prohibits_weapons"]
    bad = client.post(f"/cases/{pid(case)}/orders", data={
        "csrf_token": csrf_token(page.text), "kind": "temporary", "issued_at": "yesterday",
        "prohibitions": ["prohibits_violence"]}, follow_redirects=True)
    assert "Enter a valid date and time." in bad.text


# --- correctional programmes -------------------------------------------------------------


def test_programme_course_by_the_provider(new_case, user, agency):
    case = new_case()
    programme = programmes.refer(user("coordinator.sokuluk"), case,
                                 agency("SOKULUK-CRISIS_CENTRE").id, now=NOW,
                                 legal_ground=LegalGround.DANGER_TO_LIFE)
    db.session.flush()
    crisis = user("crisis.sokuluk")
    assert policy.can(crisis, policy.Action.VIEW_CASE, case)  # the provider is involved
    with pytest.raises(RuleBroken, match="already under way"):
        programmes.refer(user("coordinator.sokuluk"), case, agency("SOKULUK-SOCIAL").id, now=NOW)
    with pytest.raises(PermissionError):
        programmes.move(user("social.sokuluk"), programme, "start", NOW.date(),
                        programme.version, now=NOW)
    with pytest.raises(RuleBroken):
        programmes.move(crisis, programme, "complete", NOW.date(), programme.version, now=NOW)
    programmes.move(crisis, programme, "start", NOW.date(), programme.version, now=NOW)
    later = NOW + timedelta(days=40)
    programmes.move(crisis, programme, "complete", later.date(), programme.version, now=later)
    assert programme.status == ProgrammeStatus.COMPLETED
    assert programme.started_on == NOW.date() and programme.ended_on == later.date()


def test_programme_providers_are_social_or_crisis_centres(new_case, user, agency):
    with pytest.raises(RuleBroken):
        programmes.refer(user("coordinator.sokuluk"), new_case(), agency("SOKULUK-POLICE").id,
                         now=NOW)
