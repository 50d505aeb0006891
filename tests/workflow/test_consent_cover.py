"""Issue 15 items 5 and 6: a form that gives work on a case to an agency says
beforehand what the survivor's consent covers and which agencies will not see
her contact details; the referral form shows each service's priority as a
referral for it is saved."""
from __future__ import annotations

import html
import re

import sqlalchemy as sa

from coordination import policy
from coordination.agencies.models import Agency, AgencyType
from coordination.cases.models import RiskLevel
from coordination.consent.models import ConsentScope
from coordination.consent.services import record_consent
from coordination.extensions import db
from coordination.referrals import services as referrals
from coordination.referrals.models import Referral, ReferralService
from tests.helpers import csrf_token, pid

MARKER = "(will not see contact details)"


def options(page: str, name: str) -> dict[str, str]:
    """The ``value -> label`` of the select ``name`` in ``page``."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, name
    return {value: html.unescape(label).strip() for value, label in re.findall(
        r'<option[^>]*value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1))}


def owner_marks(page: str) -> dict[int, bool]:
    """Each owning agency offered: whether it is marked."""
    return {int(value): label.endswith(MARKER)
            for value, label in options(page, "owner_agency").items() if value}


def case_with_an_accepted_health_referral(new_case, user, agency):
    """Consent for health and police; health accepted a referral, police has none."""
    case = new_case()
    coordinator = user("coordinator.sokuluk")
    record_consent(coordinator, case, ConsentScope.SHARING, AgencyType.HEALTH)
    record_consent(coordinator, case, ConsentScope.SHARING, AgencyType.POLICE)
    referral = referrals.send_referral(coordinator, case, agency("SOKULUK-HEALTH").id,
                                       ReferralService.MEDICAL, None)
    referrals.move_referral(user("health.sokuluk"), referral, "accept", referral.version)
    db.session.commit()
    return case


def test_follow_up_form_lists_covered_types_and_marks_who_will_not_see_contacts(
        new_case, user, agency, login_as):
    case = case_with_an_accepted_health_referral(new_case, user, agency)
    page = login_as("coordinator.sokuluk").get(f"/cases/{pid(case)}?form=add-follow-up").text
    form = page[page.index('id="follow-ups"'):]
    covers = form[form.index('id="follow-up-consent-covers"'):][:400]
    assert "consent covers:" in covers and "Health" in covers and "Police" in covers
    marks = owner_marks(form)
    health, police = agency("SOKULUK-HEALTH"), agency("SOKULUK-POLICE")
    # Health accepted a referral that consent covers: it sees them, not marked.
    assert marks[health.id] is False
    # Consent covers police, but without an accepted referral it works blind.
    assert marks[police.id] is True
    # The lead agency and the committee see them.
    assert marks[case.lead_agency_id] is False
    assert marks[agency("SOKULUK-COMMITTEE").id] is False
    # Marked exactly as the policy answers.
    for agency_id, marked in marks.items():
        assert marked is not policy.agency_sees_restricted(db.session.get(Agency, agency_id), case)
    notice = form[form.index('id="follow-up-contacts"'):][:1000]
    assert 'href="#consent"' in notice and 'href="#referrals"' in notice


def test_follow_up_form_without_consent_links_to_the_consent_form(new_case, login_as, agency):
    case = new_case()
    page = login_as("coordinator.sokuluk").get(f"/cases/{pid(case)}?form=add-follow-up").text
    form = page[page.index('id="follow-ups"'):]
    covers = form[form.index('id="follow-up-consent-covers"'):][:400]
    assert "No consent to share is recorded" in covers and 'href="#consent"' in covers
    assert owner_marks(form)[agency("SOKULUK-POLICE").id] is True


def test_the_marker_is_translated(new_case, login_as):
    case = new_case()
    page = login_as("coordinator.sokuluk").get(
        f"/cases/{pid(case)}?lang=ru&form=add-follow-up").text
    assert MARKER not in page
    assert "(не увидит контактные данные)" in page


# --- the priority each service gets ------------------------------------------------------


def _service_labels(page: str) -> dict[str, str]:
    form = page[page.index('id="referrals"'):]
    return {value: label for value, label in options(form, "service").items() if value}


def test_each_service_shows_the_priority_a_post_saves(new_case, login_as, agency):
    case = new_case()
    client = login_as("coordinator.sokuluk")
    page = client.get(f"/cases/{pid(case)}?form=send-referral").text
    labels = _service_labels(page)
    assert set(labels) == {s.value for s in ReferralService}
    assert "By the service" not in page
    police = agency("SOKULUK-POLICE")
    for service, label in labels.items():
        response = client.post(f"/cases/{pid(case)}/referrals", data={
            "csrf_token": csrf_token(page), "to_agency": police.id, "service": service,
            "priority": "", "legal_ground": "danger_to_life"})
        assert response.status_code == 302
        saved = db.session.scalars(sa.select(Referral).where(
            Referral.case_id == case.id, Referral.service == ReferralService(service))).one()
        hours = referrals.answer_hours(saved.priority)
        assert label == (f"{saved.service.label} — {saved.priority.label}, "
                         f"answer within {hours} h")
    shown = {s: label.split(" — ")[1].split(",")[0] for s, label in labels.items()}
    # Both kinds are shown: the rule is not a single answer.
    assert shown["police_protection"] == "Urgent" and shown["legal_aid"] == "Normal"


def test_a_high_risk_case_shows_urgent_as_a_fact(new_case, login_as):
    case = new_case()
    case.risk_level = RiskLevel.HIGH
    db.session.commit()
    page = login_as("coordinator.sokuluk").get(f"/cases/{pid(case)}?form=send-referral").text
    form = page[page.index('id="referrals"'):]
    form = form[form.index('action="/cases/'):form.index("</form>")]
    assert '<span class="tag priority-urgent">Urgent</span>' in form
    assert "every referral is saved as urgent" in form
    assert 'name="priority"' not in form
    # The services agree: every one is saved urgent.
    assert all(" — Urgent, " in label for label in _service_labels(page).values())
