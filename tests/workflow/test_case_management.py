"""Case status, closing and reopening, handing over the lead; the whole walk."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from coordination import policy
from coordination.cases import services
from coordination.cases.models import CaseStatus, ClosureReason
from coordination.extensions import db
from coordination.followups.models import FollowUp, FollowUpStatus
from coordination.meetings.models import Meeting
from coordination.protection.models import ProtectionOrder
from coordination.public_ids import decode
from coordination.referrals.models import Referral, ReferralStatus
from coordination.refusals import RuleBroken, Stale
from tests.helpers import csrf_token, pid


def _promote(user, username):
    """Make a demo member the head of their agency (tests roll back)."""
    person = user(username)
    person.role = "lead"
    db.session.flush()
    return person


def test_lead_agency_member_moves_status_but_cannot_close(new_case, user):
    case = new_case()
    social = user("social.sokuluk")  # a member of the lead agency
    services.change_status(social, case, CaseStatus.ACTIVE, case.version)
    services.change_status(social, case, CaseStatus.MONITORING, case.version)
    assert case.status == CaseStatus.MONITORING
    with pytest.raises(PermissionError):
        services.change_status(social, case, CaseStatus.CLOSED, case.version,
                               ClosureReason.SAFETY_PLAN_ACHIEVED)


def test_head_of_the_lead_agency_closes_with_a_reason_and_reopens(new_case, user):
    case = new_case()
    head = _promote(user, "social.sokuluk")
    with pytest.raises(RuleBroken, match="reason"):
        services.change_status(head, case, CaseStatus.CLOSED, case.version)
    services.change_status(head, case, CaseStatus.CLOSED, case.version,
                           ClosureReason.SAFETY_PLAN_ACHIEVED)
    assert case.closure_reason == ClosureReason.SAFETY_PLAN_ACHIEVED
    # A closed case takes no new referrals or follow-ups.
    assert not policy.can(head, policy.Action.REFER, case)
    services.change_status(head, case, CaseStatus.ACTIVE, case.version)
    assert case.status == CaseStatus.ACTIVE and case.closure_reason is None
    kinds = [event.kind for event in case.timeline]
    assert "case_closed" in kinds and "case_reopened" in kinds
    with pytest.raises(RuleBroken):
        services.change_status(head, case, CaseStatus.OPEN, case.version)


@pytest.mark.parametrize("username", ["police.sokuluk", "lsg.sokuluk", "coordinator.karasuu"])
def test_other_agencies_cannot_change_status(new_case, user, username):
    case = new_case()
    with pytest.raises(PermissionError):
        services.change_status(user(username), case, CaseStatus.ACTIVE, case.version)


def test_committee_head_hands_over_the_lead(new_case, user, agency):
    case = new_case()
    coordinator = user("coordinator.sokuluk")
    services.reassign_lead(coordinator, case, agency("SOKULUK-CRISIS_CENTRE").id, case.version)
    db.session.flush()
    assert case.lead_agency.code == "SOKULUK-CRISIS_CENTRE"
    assert policy.can(user("crisis.sokuluk"), policy.Action.VIEW_CASE, case)
    with pytest.raises(PermissionError):  # a member of the new lead agency cannot reassign
        services.reassign_lead(user("crisis.sokuluk"), case, agency("SOKULUK-SOCIAL").id,
                               case.version)
    with pytest.raises(RuleBroken):
        services.reassign_lead(coordinator, case, agency("KARASUU-SOCIAL").id, case.version)


def test_stale_status_change_is_refused(new_case, user):
    case = new_case()
    social = user("social.sokuluk")
    seen = case.version
    services.change_status(social, case, CaseStatus.ACTIVE, seen)
    db.session.flush()
    with pytest.raises(Stale, match="Someone changed this"):
        services.change_status(social, case, CaseStatus.MONITORING, seen)


def test_walk_a_case_from_intake_to_closure(client, user, agency, login_as):
    """Each step by the agency whose job it is, through the web, with CSRF."""
    from tests.cases.test_intake import intake_form
    from tests.helpers import login, post_form

    # 1. The committee registers the case; social protection leads it.
    coordinator = login_as("coordinator.sokuluk")
    response = post_form(coordinator, "/cases/new", intake_form())
    case_id = decode("case", response.headers["Location"].rsplit("/", 1)[1])
    page = coordinator.get(f"/cases/{pid(case_id, 'case')}")
    token = csrf_token(page.text)

    # 2. Consent to share with the police, then the referral.
    coordinator.post(f"/cases/{pid(case_id, 'case')}/consent",
                     data={"csrf_token": token, "scope": "sharing", "agency_type": "police"})
    response = coordinator.post(f"/cases/{pid(case_id, 'case')}/referrals", data={
        "csrf_token": token, "to_agency": agency("SOKULUK-POLICE").id,
        "service": "police_protection", "priority": "urgent", "legal_ground": ""})
    referral = db.session.scalar(sa.select(Referral).where(Referral.case_id == case_id))
    assert referral is not None and referral.status == ReferralStatus.SENT

    # 3. The police officer, who could not see the case before, accepts it.
    police = client.application.test_client()
    login(police, "police.sokuluk")
    police_page = police.get(f"/cases/{pid(case_id, 'case')}")
    assert police_page.status_code == 200
    police_token = csrf_token(police_page.text)
    police.post(f"/referrals/{pid(referral)}/step", data={
        "csrf_token": police_token, "step": "accept", "version": referral.version})
    db.session.refresh(referral)
    assert referral.status == ReferralStatus.ACCEPTED

    # 4. The police add a follow-up for social protection; social protection does it.
    police.post(f"/cases/{pid(case_id, 'case')}/followups", data={
        "csrf_token": police_token, "action": "Оформить пособие",
        "owner_agency": agency("SOKULUK-SOCIAL").id, "owner_user": "",
        "due_on": (date.today() + timedelta(days=5)).isoformat()})
    follow_up = db.session.scalar(sa.select(FollowUp).where(FollowUp.case_id == case_id))
    assert follow_up is not None
    social = client.application.test_client()
    login(social, "social.sokuluk")
    social_token = csrf_token(social.get(f"/cases/{pid(case_id, 'case')}").text)
    social.post(f"/followups/{pid(follow_up)}/close", data={
        "csrf_token": social_token, "outcome": "done", "version": follow_up.version,
        "note": "Пособие назначено", "confirmed": "1"})
    db.session.refresh(follow_up)
    assert follow_up.status == FollowUpStatus.DONE

    # 5. The police complete the referral.
    police.post(f"/referrals/{pid(referral)}/step", data={
        "csrf_token": police_token, "step": "complete", "version": referral.version,
        "note": "Проведена профилактическая беседа"})
    db.session.refresh(referral)
    assert referral.status == ReferralStatus.COMPLETED

    # 6. The police record a temporary protection order (Bishkek time in the form).
    local_now = datetime.now(ZoneInfo("Asia/Bishkek")).replace(tzinfo=None)
    police.post(f"/cases/{pid(case_id, 'case')}/orders", data={
        "csrf_token": police_token, "kind": "temporary",
        "issued_at": (local_now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "prohibitions": ["prohibits_violence", "prohibits_contact"]})
    order = db.session.scalar(sa.select(ProtectionOrder).where(
        ProtectionOrder.case_id == case_id))
    assert order is not None and order.issuing_agency.code == "SOKULUK-POLICE"

    # 7. The committee meets on the case and decides a follow-up for social protection.
    from coordination.cases.models import Case as CaseModel

    reference = db.session.get(CaseModel, case_id).reference
    coordinator.post("/meetings/new", data={
        "csrf_token": token, "place": "Айыл окмоту",
        "scheduled_for": (local_now + timedelta(days=1)).strftime("%Y-%m-%dT10:00")})
    meeting = db.session.scalars(sa.select(Meeting).where(
        Meeting.committee_id == agency("SOKULUK-COMMITTEE").id)
        .order_by(Meeting.id.desc())).first()
    coordinator.post(f"/meetings/{pid(meeting)}/agenda",
                     data={"csrf_token": token, "reference": reference})
    coordinator.post(f"/meetings/{pid(meeting)}/decisions", data={
        "csrf_token": token, "case": case_id, "action": "Подготовить план безопасности",
        "owner_agency": agency("SOKULUK-SOCIAL").id, "owner_user": "",
        "due_on": (date.today() + timedelta(days=7)).isoformat()})
    decision = db.session.scalar(sa.select(FollowUp).where(
        FollowUp.case_id == case_id, FollowUp.meeting_id == meeting.id))
    assert decision is not None and decision.owner_agency.code == "SOKULUK-SOCIAL"

    # 8. Police cannot close the case; the head of the lead agency can.
    refused = police.post(f"/cases/{pid(case_id, 'case')}/status", data={
        "csrf_token": police_token, "status": "closed", "closure_reason": "other",
        "version": 1})
    assert refused.status_code == 403
    _promote(user, "social.sokuluk")
    db.session.commit()
    from coordination.cases.models import Case

    case = db.session.get(Case, case_id)
    db.session.refresh(case)
    response = social.post(f"/cases/{pid(case_id, 'case')}/status", data={
        "csrf_token": social_token, "status": "closed",
        "closure_reason": "safety_plan_achieved", "version": case.version, "confirmed": "1"},
        follow_redirects=True)
    assert "Case status changed." in response.text
    db.session.refresh(case)
    assert case.status == CaseStatus.CLOSED
    kinds = [event.kind for event in case.timeline]
    assert kinds[:2] == ["case_registered", "incident_recorded"]
    for kind in ("consent_recorded", "referral_sent", "referral_accepted", "follow_up_added",
                 "follow_up_done", "referral_completed", "order_issued", "put_on_agenda",
                 "case_closed"):
        assert kind in kinds
