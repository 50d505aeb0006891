"""The safety plan: the lead writes it, consented agencies read it, the home page reminds."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from coordination import policy
from coordination.accounts.models import User
from coordination.audit.models import AuditAction, AuditEvent
from coordination.cases.models import Case, CaseStatus
from coordination.consent.models import ConsentRecord, ConsentScope
from coordination.demo import demo_usernames
from coordination.extensions import db
from coordination.models_base import utcnow
from coordination.refusals import Forbidden, RuleBroken
from coordination.safety import services
from coordination.territories.models import Territory
from tests.helpers import csrf_token, pid

SOKULUK = "41708222"


def _led_case() -> tuple[Case, User]:
    users = db.session.scalars(sa.select(User).where(User.username.in_(
        [u for u in demo_usernames() if u.endswith(".sokuluk")]))).all()
    by_agency = {u.agency_id: u for u in users}
    case = db.session.scalar(sa.select(Case).join(Case.district).where(
        Territory.code == SOKULUK, Case.status != CaseStatus.CLOSED,
        Case.lead_agency_id.in_(by_agency)).order_by(Case.id).limit(1))
    return case, by_agency[case.lead_agency_id]


def _data(review_in_days: int = 3) -> services.PlanData:
    return services.PlanData("Her sister Aigul", "The crisis centre", "A call about bread",
                             "Passport and birth certificates at the neighbour's",
                             "The eldest takes the younger ones to the grandmother",
                             utcnow().date() + timedelta(days=review_in_days))


def test_the_lead_writes_the_plan_and_it_is_audited(user):
    case, lead = _led_case()
    plan = services.save_plan(lead, case, _data(), None)
    db.session.flush()
    assert plan.safe_contacts == "Her sister Aigul"
    assert db.session.scalar(sa.select(AuditEvent.action).where(
        AuditEvent.object_type == "safety_plan", AuditEvent.object_id == plan.id)) \
        == AuditAction.SAFETY_PLAN_SAVED


def test_only_the_lead_and_consented_agencies_see_it(user, make_user):
    case, lead = _led_case()
    assert policy.can(lead, policy.Action.VIEW_SAFETY_PLAN, case)
    others = [u for u in (user(n) for n in demo_usernames() if n.endswith(".sokuluk"))
              if u.agency_id != case.lead_agency_id
              and policy.can(u, policy.Action.VIEW_CASE, case)]
    assert others
    for other in others:
        consented = any(r.scope == ConsentScope.SHARING and r.in_force
                        and r.agency_type == other.agency.type for r in case.consents)
        assert policy.can(other, policy.Action.VIEW_SAFETY_PLAN, case) is consented
        with pytest.raises(Forbidden):
            services.save_plan(other, case, _data(), None)
    outsider = next(o for o in others)
    if not any(r.agency_type == outsider.agency.type and r.in_force for r in case.consents):
        db.session.add(ConsentRecord(case_id=case.id, scope=ConsentScope.SHARING,
                                     agency_type=outsider.agency.type,
                                     recorded_by_id=lead.id, recorded_at=utcnow()))
        db.session.flush()
        db.session.refresh(case)
        assert policy.can(outsider, policy.Action.VIEW_SAFETY_PLAN, case)
    assert not policy.can(user("coordinator.karasuu"), policy.Action.VIEW_SAFETY_PLAN, case)


def test_a_past_review_date_or_an_empty_plan_is_refused(user):
    case, lead = _led_case()
    with pytest.raises(RuleBroken):
        services.save_plan(lead, case, _data(review_in_days=-1), None)
    with pytest.raises(RuleBroken):
        services.save_plan(lead, case, services.PlanData(None, " ", None, None, None,
                                                         utcnow().date()), None)


def test_the_review_date_is_on_the_lead_agencys_home_page(login_as):
    case, lead = _led_case()
    client = login_as(lead.username)
    url = f"/cases/{pid(case)}"
    token = csrf_token(client.get(url).text)
    review_on = utcnow().date() + timedelta(days=2)
    response = client.post(f"{url}/safety-plan", data={
        "csrf_token": token, "safe_contacts": "Her sister", "review_on": review_on.isoformat()})
    assert response.headers["Location"].endswith("#safety-plan")
    assert "Her sister" in client.get(url).text
    home = client.get("/").text
    assert 'id="safety-plans-due"' in home and case.reference in home
