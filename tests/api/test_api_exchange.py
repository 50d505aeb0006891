"""The daily exchange through the API, by behaviour: declining (with and
without a reason), completing, marking a follow-up done and reading an
order's status; every change guarded by If-Match (a stale one is 412 and
changes nothing)."""
from __future__ import annotations

import sqlalchemy as sa

from coordination import policy
from coordination.api.models import Scope
from coordination.cases.models import Case
from coordination.extensions import db
from coordination.followups.models import FollowUp, FollowUpStatus
from coordination.protection.models import ProtectionOrder
from coordination.referrals.models import ReferralStatus
from tests.api.conftest import bearer
from tests.api.test_api_access import _sokuluk_referral_to_police
from tests.helpers import pid


def _post(api, url, token, key, version, body):
    return api.post(url, json=body, headers=bearer(token, **{
        "Idempotency-Key": key, "If-Match": f'"v{version}"'}))


def test_declining_needs_a_reason_and_a_stale_version_is_412(api_client, browser, user,
                                                              agency):
    _client, token = api_client("SOKULUK-POLICE", {Scope.ANSWER_REFERRALS})
    referral = _sokuluk_referral_to_police(user, agency)
    api, url, version = browser(), f"/api/v1/referrals/{pid(referral)}/decline", \
        referral.version
    for key, body in (("d1", {}), ("d2", {"note": "   "})):
        refused = _post(api, url, token, key, version, body)
        assert refused.status_code in (400, 422), refused.text
        assert refused.mimetype == "application/problem+json"
        db.session.refresh(referral)
        assert referral.status == ReferralStatus.SENT and referral.version == version
    stale = _post(api, url, token, "d3", version + 1, {"note": "No officer on duty"})
    assert stale.status_code == 412
    db.session.refresh(referral)
    assert referral.status == ReferralStatus.SENT and referral.version == version
    declined = _post(api, url, token, "d4", version, {"note": "Not our district's case"})
    assert declined.status_code == 200, declined.text
    assert declined.json["status"] == "declined"
    db.session.refresh(referral)
    assert referral.status == ReferralStatus.DECLINED
    assert declined.headers["ETag"] == f'"v{referral.version}"'


def test_completing_an_accepted_referral_needs_an_outcome_and_a_fresh_version(
        api_client, browser, user, agency):
    _client, token = api_client("SOKULUK-POLICE", {Scope.ANSWER_REFERRALS})
    referral = _sokuluk_referral_to_police(user, agency)
    api, base = browser(), f"/api/v1/referrals/{pid(referral)}"
    # Completing a referral not yet accepted is refused.
    early = _post(api, f"{base}/complete", token, "c0", referral.version, {"note": "Done"})
    assert early.status_code in (400, 409, 422) and early.mimetype == "application/problem+json"
    accepted = _post(api, f"{base}/accept", token, "c1", referral.version, {})
    assert accepted.status_code == 200, accepted.text
    db.session.refresh(referral)
    version = referral.version
    without = _post(api, f"{base}/complete", token, "c2", version, {})
    assert without.status_code in (400, 422)
    stale = _post(api, f"{base}/complete", token, "c3", version - 1,
                  {"note": "Order issued"})
    assert stale.status_code == 412
    db.session.refresh(referral)
    assert referral.status == ReferralStatus.ACCEPTED and referral.version == version
    done = _post(api, f"{base}/complete", token, "c4", version, {"note": "Order issued"})
    assert done.status_code == 200, done.text
    db.session.refresh(referral)
    assert referral.status == ReferralStatus.COMPLETED and done.json["status"] == "completed"


def _open_follow_up_of(client) -> FollowUp:
    return db.session.scalar(sa.select(FollowUp).join(FollowUp.case).where(
        FollowUp.owner_agency_id == client.agency_id, FollowUp.status == FollowUpStatus.OPEN,
        policy.case_visibility(client.service_user)).order_by(FollowUp.id).limit(1))


def test_marking_a_follow_up_done(api_client, browser):
    client, token = api_client("SOKULUK-POLICE", {Scope.ANSWER_REFERRALS})
    follow_up = _open_follow_up_of(client)
    assert follow_up is not None
    api, url, version = browser(), f"/api/v1/follow-ups/{pid(follow_up)}/done", \
        follow_up.version
    listed = api.get("/api/v1/follow-ups?limit=100", headers=bearer(token))
    assert pid(follow_up) in {item["id"] for item in listed.json["items"]}
    without = _post(api, url, token, "f1", version, {})
    assert without.status_code in (400, 422)
    stale = _post(api, url, token, "f2", version + 1, {"note": "Visited the family"})
    assert stale.status_code == 412
    db.session.refresh(follow_up)
    assert follow_up.status == FollowUpStatus.OPEN and follow_up.version == version
    done = _post(api, url, token, "f3", version, {"note": "Visited the family"})
    assert done.status_code == 200, done.text
    db.session.refresh(follow_up)
    assert follow_up.status == FollowUpStatus.DONE
    assert follow_up.closing_note == "Visited the family"
    assert done.json["status"] == "done"


def _order_seen_by(client, seen: bool) -> ProtectionOrder:
    visible = policy.visible_cases(client.service_user).with_only_columns(Case.id)
    where = ProtectionOrder.case_id.in_(visible)
    return db.session.scalar(sa.select(ProtectionOrder).where(where if seen else ~where)
                             .order_by(ProtectionOrder.id).limit(1))


def test_order_status_by_number(api_client, browser):
    court, token = api_client("SOKULUK-POLICE", {Scope.READ_ORDER_STATUS}, name="Court")
    _other, no_scope = api_client("SOKULUK-POLICE", {Scope.READ_CASES}, name="Register")
    order, foreign = _order_seen_by(court, True), _order_seen_by(court, False)
    assert order is not None and foreign is not None
    api = browser()
    answer = api.get(f"/api/v1/orders/{pid(order)}", headers=bearer(token))
    assert answer.status_code == 200
    assert answer.json["number"] == pid(order)
    assert answer.json["kind"] == order.kind.value
    from coordination.models_base import utcnow
    assert answer.json["status"] == order.status(utcnow()).value
    hidden = api.get(f"/api/v1/orders/{pid(foreign)}", headers=bearer(token))
    missing = api.get("/api/v1/orders/aaaaaaaaaaaaa", headers=bearer(token))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json == missing.json
    assert api.get(f"/api/v1/orders/{pid(order)}",
                   headers=bearer(no_scope)).status_code == 403
