"""Referrals: the consent rule, deadlines, every transition, access, stale saves."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from coordination import policy
from coordination.agencies.models import AgencyType
from coordination.audit.models import AuditAction, AuditEvent
from coordination.cases.models import RiskLevel
from coordination.consent.models import ConsentScope
from coordination.consent.services import record_consent
from coordination.extensions import db
from coordination.referrals import services
from coordination.referrals.models import (
    LegalGround,
    Priority,
    Referral,
    ReferralService,
    ReferralStatus,
)
from coordination.refusals import RuleBroken, Stale
from tests.helpers import csrf_token, login, pid
from tests.workflow.conftest import NOW


def _send(user, case, to, priority=Priority.NORMAL, ground=None, now=NOW):
    return services.send_referral(user, case, to.id, ReferralService.POLICE_PROTECTION,
                                  priority, ground, now=now)


def _audited(action, referral) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.object_id == referral.id))


def test_no_referral_without_consent_or_legal_ground(new_case, user, agency):
    case = new_case()
    with pytest.raises(RuleBroken, match="not consented"):
        _send(user("coordinator.sokuluk"), case, agency("SOKULUK-POLICE"))
    assert case.referrals == []


def test_legal_ground_overrides_and_is_audited(new_case, user, agency):
    case = new_case()
    referral = _send(user("coordinator.sokuluk"), case, agency("SOKULUK-POLICE"),
                     ground=LegalGround.DANGER_TO_LIFE)
    assert referral.legal_ground == LegalGround.DANGER_TO_LIFE
    assert _audited(AuditAction.CONSENT_OVERRIDDEN, referral) == 1


def test_consent_for_the_agency_type_allows_the_referral(new_case, user, agency):
    case = new_case()
    coordinator = user("coordinator.sokuluk")
    record_consent(coordinator, case, ConsentScope.SHARING, AgencyType.POLICE)
    # A ground given although consent covers it is not recorded as an override.
    referral = _send(coordinator, case, agency("SOKULUK-POLICE"), ground=LegalGround.CHILD_AT_RISK)
    assert referral.legal_ground is None
    assert _audited(AuditAction.CONSENT_OVERRIDDEN, referral) == 0
    with pytest.raises(RuleBroken):  # consent for police does not cover health
        _send(coordinator, case, agency("SOKULUK-HEALTH"))


def test_withdrawn_consent_no_longer_covers(new_case, user, agency):
    from coordination.consent.services import withdraw_consent

    case = new_case()
    coordinator = user("coordinator.sokuluk")
    consent = record_consent(coordinator, case, ConsentScope.SHARING, AgencyType.POLICE)
    withdraw_consent(coordinator, consent)
    with pytest.raises(RuleBroken):
        _send(coordinator, case, agency("SOKULUK-POLICE"))


@pytest.mark.parametrize(("priority", "hours"),
                         [(Priority.URGENT, 24), (Priority.HIGH, 72), (Priority.NORMAL, 168)])
def test_response_deadline_by_priority(new_case, user, agency, priority, hours):
    case = new_case()
    referral = _send(user("coordinator.sokuluk"), case, agency("SOKULUK-POLICE"), priority,
                     LegalGround.DANGER_TO_LIFE)
    assert referral.respond_by == NOW + timedelta(hours=hours)
    assert not referral.is_overdue(NOW + timedelta(hours=hours))
    assert referral.is_overdue(NOW + timedelta(hours=hours, minutes=1))


def test_deadline_comes_from_the_settings(app, new_case, user, agency):
    from coordination.settings.services import update_settings

    update_settings(user("admin"), {"referral_deadline_hours_normal": 100})
    referral = _send(user("coordinator.sokuluk"), new_case(), agency("SOKULUK-POLICE"),
                     ground=LegalGround.DANGER_TO_LIFE)
    assert referral.respond_by == NOW + timedelta(hours=100)


def test_high_risk_makes_referrals_urgent(new_case, user, agency):
    case = new_case()
    case.risk_level = RiskLevel.HIGH
    referral = _send(user("coordinator.sokuluk"), case, agency("SOKULUK-POLICE"),
                     Priority.NORMAL, LegalGround.DANGER_TO_LIFE)
    assert referral.priority == Priority.URGENT


def test_answered_referral_is_not_overdue(new_case, user, agency):
    referral = _send(user("coordinator.sokuluk"), new_case(), agency("SOKULUK-POLICE"),
                     ground=LegalGround.DANGER_TO_LIFE)
    services.move_referral(user("police.sokuluk"), referral, "accept", referral.version,
                           now=NOW + timedelta(hours=1))
    assert referral.answered_at == NOW + timedelta(hours=1)
    assert not referral.is_overdue(NOW + timedelta(days=30))


def test_target_must_serve_the_cases_place(new_case, user, agency):
    with pytest.raises(RuleBroken, match="Choose an agency"):
        _send(user("coordinator.sokuluk"), new_case(), agency("KARASUU-POLICE"),
              ground=LegalGround.DANGER_TO_LIFE)


# --- transitions -------------------------------------------------------------------

#: step -> (who takes it, statuses it may start from, note needed)
STEPS = {
    "accept": ("police.sokuluk", {ReferralStatus.SENT}, False),
    "decline": ("police.sokuluk", {ReferralStatus.SENT}, True),
    "start": ("police.sokuluk", {ReferralStatus.ACCEPTED}, False),
    "complete": ("police.sokuluk", {ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS}, True),
    "cancel": ("coordinator.sokuluk",
               {ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS}, False),
    "revoke": ("social.sokuluk",
               {ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS}, False),
}


def _referral_in(status, new_case, user, agency) -> Referral:
    referral = _send(user("coordinator.sokuluk"), new_case(), agency("SOKULUK-POLICE"),
                     ground=LegalGround.DANGER_TO_LIFE)
    referral.status = status
    db.session.flush()
    return referral


@pytest.mark.parametrize("status", list(ReferralStatus))
@pytest.mark.parametrize("step", list(STEPS))
def test_every_transition_allowed_or_refused(new_case, user, agency, step, status):
    actor, allowed_from, needs_note = STEPS[step]
    referral = _referral_in(status, new_case, user, agency)
    note = "Причина / итог" if needs_note else None
    if status in allowed_from:
        services.move_referral(user(actor), referral, step, referral.version, note)
        assert referral.status == services.TRANSITIONS[step].to
    else:
        with pytest.raises((RuleBroken, PermissionError)):
            services.move_referral(user(actor), referral, step, referral.version, note)
        assert referral.status == status


@pytest.mark.parametrize("step", list(STEPS))
def test_steps_are_refused_to_other_agencies(new_case, user, agency, step):
    actor, allowed_from, _needs = STEPS[step]
    referral = _referral_in(sorted(allowed_from)[0], new_case, user, agency)
    for other in ("lsg.sokuluk", "health.sokuluk", "police.karasuu"):
        if other == actor:
            continue
        with pytest.raises(PermissionError):
            services.move_referral(user(other), referral, step, referral.version, "x")


def test_decline_needs_a_reason_and_complete_an_outcome(new_case, user, agency):
    referral = _referral_in(ReferralStatus.SENT, new_case, user, agency)
    police = user("police.sokuluk")
    with pytest.raises(RuleBroken, match="reason"):
        services.move_referral(police, referral, "decline", referral.version, "  ")
    services.move_referral(police, referral, "accept", referral.version)
    with pytest.raises(RuleBroken, match="outcome"):
        services.move_referral(police, referral, "complete", referral.version, "")


def test_stale_page_is_refused_with_what_changed(new_case, user, agency):
    """Two tabs: the referral was accepted in one, the other still offers "decline"."""
    referral = _referral_in(ReferralStatus.SENT, new_case, user, agency)
    police = user("police.sokuluk")
    seen_version = referral.version
    services.move_referral(police, referral, "accept", seen_version)
    db.session.flush()
    with pytest.raises(Stale, match="Someone changed this"):
        services.move_referral(police, referral, "decline", seen_version, "Нет мест")
    assert referral.status == ReferralStatus.ACCEPTED


# --- access follows the referral --------------------------------------------------


def test_receiver_sees_the_case_until_it_declines(new_case, user, agency):
    case = new_case()
    health = user("health.sokuluk")
    assert not policy.can(health, policy.Action.VIEW_CASE, case)
    referral = _send(user("coordinator.sokuluk"), case, agency("SOKULUK-HEALTH"),
                     ground=LegalGround.DANGER_TO_LIFE)
    db.session.flush()
    assert policy.can(health, policy.Action.VIEW_CASE, case)
    services.move_referral(health, referral, "decline", referral.version, "Нет врача")
    db.session.flush()
    assert not policy.can(health, policy.Action.VIEW_CASE, case)


def test_restricted_fields_need_acceptance_and_cover(new_case, user, agency):
    case = new_case()
    coordinator, health = user("coordinator.sokuluk"), user("health.sokuluk")
    record_consent(coordinator, case, ConsentScope.SHARING, AgencyType.HEALTH)
    referral = _send(coordinator, case, agency("SOKULUK-HEALTH"))
    assert not policy.can(health, policy.Action.VIEW_RESTRICTED, case)
    services.move_referral(health, referral, "accept", referral.version)
    assert policy.can(health, policy.Action.VIEW_RESTRICTED, case)


def test_inbox_lists_overdue_first(new_case, user, agency):
    coordinator = user("coordinator.sokuluk")
    late = _send(coordinator, new_case(), agency("SOKULUK-POLICE"), Priority.URGENT,
                 LegalGround.DANGER_TO_LIFE, now=NOW - timedelta(days=3))
    early = _send(coordinator, new_case(), agency("SOKULUK-POLICE"), Priority.NORMAL,
                  LegalGround.DANGER_TO_LIFE, now=NOW)
    db.session.flush()
    def listed(who, box):
        page = services.inbox_page(who, services.InboxFilters(box), None, NOW,
                                   NOW + timedelta(days=7), size=1000)
        return [r.id for r in page.page.rows]

    ids = listed(user("police.sokuluk"), "incoming")
    assert ids.index(late.id) < ids.index(early.id)
    assert early.id in listed(coordinator, "outgoing")


# --- through the web, as users ------------------------------------------------------


def test_police_accepts_through_the_case_page(new_case, user, agency, login_as):
    case = new_case()
    referral = _send(user("coordinator.sokuluk"), case, agency("SOKULUK-POLICE"),
                     ground=LegalGround.DANGER_TO_LIFE)
    db.session.commit()
    client = login_as("police.sokuluk")
    assert "badge" in client.get("/referrals").text
    page = client.get(f"/cases/{pid(case)}")
    response = client.post(f"/referrals/{pid(referral)}/step", data={
        "csrf_token": csrf_token(page.text), "step": "accept", "version": referral.version})
    assert response.status_code == 302
    # Still involved: back to the case page.
    assert response.headers["Location"].startswith(f"/cases/{pid(case)}")
    db.session.refresh(referral)
    assert referral.status == ReferralStatus.ACCEPTED


def test_forged_step_by_another_agency_is_refused(new_case, user, agency, login_as):
    case = new_case()
    referral = _send(user("coordinator.sokuluk"), case, agency("SOKULUK-POLICE"),
                     ground=LegalGround.DANGER_TO_LIFE)
    db.session.commit()
    client = login_as("coordinator.sokuluk")  # the sender, not the receiver
    page = client.get(f"/cases/{pid(case)}")
    response = client.post(f"/referrals/{pid(referral)}/step", data={
        "csrf_token": csrf_token(page.text), "step": "accept", "version": referral.version})
    assert response.status_code == 403
    other = client.application.test_client()
    login(other, "coordinator.karasuu")
    response = other.post(f"/referrals/{pid(referral)}/step", data={
        "csrf_token": csrf_token(other.get("/cases").text), "step": "cancel",
        "version": referral.version})
    assert response.status_code == 404
    db.session.refresh(referral)
    assert referral.status == ReferralStatus.SENT


def test_stale_form_shows_a_message_and_saves_nothing(new_case, user, agency, login_as):
    case = new_case()
    referral = _send(user("coordinator.sokuluk"), case, agency("SOKULUK-POLICE"),
                     ground=LegalGround.DANGER_TO_LIFE)
    db.session.commit()
    client = login_as("police.sokuluk")
    page = client.get(f"/cases/{pid(case)}")
    stale_version = referral.version
    services.move_referral(user("police.sokuluk"), referral, "accept", stale_version)
    db.session.commit()
    response = client.post(f"/referrals/{pid(referral)}/step", data={
        "csrf_token": csrf_token(page.text), "step": "decline", "version": stale_version,
        "note": "Нет мест", "confirmed": "1"}, follow_redirects=True)
    assert "Someone changed this while you had the page open" in response.text
    db.session.refresh(referral)
    assert referral.status == ReferralStatus.ACCEPTED


def test_cancelled_referral_ends_the_receivers_access(new_case, user, agency, login_as):
    case = new_case()
    referral = _send(user("coordinator.sokuluk"), case, agency("SOKULUK-POLICE"),
                     ground=LegalGround.DANGER_TO_LIFE)
    db.session.commit()
    client = login_as("police.sokuluk")
    assert client.get(f"/cases/{pid(case)}").status_code == 200
    services.move_referral(user("coordinator.sokuluk"), referral, "cancel", referral.version)
    db.session.commit()
    assert client.get(f"/cases/{pid(case)}").status_code == 404


def test_declining_sends_the_receiver_back_to_its_inbox(new_case, user, agency, login_as):
    """After a decline the case is no longer the receiver's to see: the
    redirect goes to the inbox, never to a 404."""
    case = new_case()
    referral = _send(user("coordinator.sokuluk"), case, agency("SOKULUK-HEALTH"),
                     ground=LegalGround.DANGER_TO_LIFE)
    db.session.commit()
    client = login_as("health.sokuluk")
    page = client.get(f"/cases/{pid(case)}")
    response = client.post(f"/referrals/{pid(referral)}/step", data={
        "csrf_token": csrf_token(page.text), "step": "decline", "version": referral.version,
        "note": "Нет врача", "confirmed": "1"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/referrals"
    assert "Referral updated." in client.get("/referrals").text
    db.session.refresh(referral)
    assert referral.status == ReferralStatus.DECLINED


def test_send_without_consent_through_the_page_explains(new_case, login_as, agency):
    case = new_case()
    client = login_as("coordinator.sokuluk")
    page = client.get(f"/cases/{pid(case)}")
    response = client.post(f"/cases/{pid(case)}/referrals", data={
        "csrf_token": csrf_token(page.text), "to_agency": agency("SOKULUK-POLICE").id,
        "service": "shelter", "priority": "normal", "legal_ground": ""}, follow_redirects=True)
    assert "has not consented to sharing with Police" in response.text
    assert db.session.scalar(sa.select(sa.func.count(Referral.id)).where(
        Referral.case_id == case.id)) == 0
