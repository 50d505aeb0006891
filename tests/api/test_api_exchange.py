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
from coordination.models_base import utcnow
from coordination.protection.models import ProtectionOrder
from coordination.referrals.models import ReferralStatus
from coordination.territories.models import Territory
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


def _order_in(district_code: str) -> ProtectionOrder:
    return db.session.scalar(
        sa.select(ProtectionOrder).join(ProtectionOrder.case).join(Case.district)
        .where(Territory.code == district_code).order_by(ProtectionOrder.id).limit(1))


#: What a court reads of an order, and nothing else (issue 18 item 4).
ORDER_STATUS_FIELDS = {"number", "kind", "status", "issued_at", "valid_until", "extended_at",
                       "revoked_at", "issuing_agency_code", "issuing_agency_name"}


def test_a_court_reads_the_status_of_its_districts_orders_by_number(api_client, browser):
    _court, token = api_client("SOKULUK-COURT", {Scope.READ_ORDER_STATUS})
    order, foreign = _order_in("41708222"), _order_in("41706226")
    assert order is not None and foreign is not None
    api = browser()
    answer = api.get(f"/api/v1/orders/{pid(order)}", headers=bearer(token))
    assert answer.status_code == 200
    assert set(answer.json) == ORDER_STATUS_FIELDS
    assert answer.json["number"] == pid(order)
    assert answer.json["kind"] == order.kind.value
    assert answer.json["status"] == order.status(utcnow()).value
    assert answer.json["issuing_agency_code"] == order.issuing_agency.code
    assert answer.json["issuing_agency_name"] == order.issuing_agency.name
    # Never a person: no name, contact or address of anyone on the case.
    for person in order.case.people:
        for value in (person.last_name, person.first_name, person.phone, person.address):
            assert not value or value not in answer.text, value
    # Another district's order answers exactly like one that does not exist.
    hidden = api.get(f"/api/v1/orders/{pid(foreign)}", headers=bearer(token))
    missing = api.get("/api/v1/orders/aaaaaaaaaaaaa", headers=bearer(token))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json == missing.json


def test_only_a_courts_client_reads_order_status(api_client, browser):
    """A client of another agency holding the scope (registered before the
    rule) is refused by the policy; a court's client without it by its scope."""
    order = _order_in("41708222")
    police, police_token = api_client("SOKULUK-POLICE", {Scope.READ_CASES})
    police.scopes = f"{Scope.READ_CASES.value} {Scope.READ_ORDER_STATUS.value}"
    _court, no_scope = api_client("SOKULUK-COURT", {Scope.READ_STATISTICS})
    db.session.commit()
    api, url = browser(), f"/api/v1/orders/{pid(order)}"
    # The district's police work on its cases, and still do not read order status here.
    refused = api.get(url, headers=bearer(police_token, **{"Accept-Language": "ru"}))
    assert refused.status_code == 403
    assert refused.json["detail"] == "Статус охранных ордеров может читать только клиент суда."
    assert api.get(url, headers=bearer(no_scope)).status_code == 403


def test_a_court_sees_no_case_through_the_api(api_client, browser):
    _court, token = api_client("SOKULUK-COURT", {Scope.READ_CASES, Scope.ANSWER_REFERRALS})
    api = browser()
    case = _order_in("41708222").case
    assert api.get("/api/v1/cases", headers=bearer(token)).json["items"] == []
    assert api.get(f"/api/v1/cases/{pid(case)}", headers=bearer(token)).status_code == 404
    assert api.get("/api/v1/referrals", headers=bearer(token)).json["items"] == []
    assert api.get("/api/v1/follow-ups", headers=bearer(token)).json["items"] == []
