"""Issue 18's done-when, as one test: a 112 report posted through the API
appears in Sokuluk's triage queue, is turned into a case by the committee,
referred to the police, and accepted by the police's own system through the
API; the police officer gets an e-mail (a real SMTP server) and an SMS (a
local HTTP gateway) through the RQ worker on the real Redis, while the
survivor's safe phone gets nothing she did not agree to."""
from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from coordination.api.models import Scope
from coordination.audit.models import AuditAction, AuditEvent
from coordination.cases.models import Case, PersonRole
from coordination.consent.models import ConsentRecord, ConsentScope
from coordination.deliveries.models import Channel, Delivery, DeliveryStatus
from coordination.deliveries.services import staff_message
from coordination.extensions import db
from coordination.public_ids import decode
from coordination.referrals.models import Referral, ReferralStatus
from coordination.triage.models import IncomingReport, ReportStatus
from tests.api.conftest import bearer
from tests.cases.test_intake import intake_form
from tests.deliveries.conftest import run_worker
from tests.helpers import csrf_token, pid, post_form

OFFICER_EMAIL, OFFICER_PHONE = "inspector@police.example.kg", "+996 555 000111"
SAFE_PHONE = "+996 700 999888"


def test_a_112_report_becomes_a_case_the_police_accept_and_the_officer_is_told(
        api_client, client, browser, login_as, agency, user, rq_queue, channels, smtp_server):
    gateway, police_partner = channels
    _dispatch, dispatch_token = api_client("SOKULUK-POLICE", {Scope.SUBMIT_REPORTS},
                                           name="112 dispatch")
    police_system, police_token = api_client("SOKULUK-POLICE", {Scope.ANSWER_REFERRALS},
                                             name="Police case register")
    api = browser()
    # The officer gave an address and a number on the profile page.
    officer = login_as("police.sokuluk")
    page = officer.get("/profile/notifications")
    assert officer.post("/profile/notifications", data={
        "csrf_token": csrf_token(page.text), "email": OFFICER_EMAIL,
        "phone": OFFICER_PHONE}).status_code == 302
    officer.post("/logout", data={"csrf_token": csrf_token(officer.get("/").text)})

    # 1. The 112 dispatch posts the call (a retry with the same key adds nothing).
    body = {"source": "112",
            "received_at": (datetime.now(UTC) - timedelta(minutes=20)).isoformat(),
            "district_code": "41708222",
            "summary": "Woman calling from the house next door, husband threatening her.",
            "caller_contact": "+996 700 000111 (neighbour)"}
    headers = bearer(dispatch_token, **{"Idempotency-Key": "call-0001"})
    posted = api.post("/api/v1/reports", json=body, headers=headers)
    assert posted.status_code == 201, posted.text
    again = api.post("/api/v1/reports", json=body, headers=headers)
    assert again.status_code == 201 and again.json == posted.json
    assert again.headers["Idempotent-Replayed"] == "true"
    report_id = decode("incoming_report", posted.json["id"])
    assert db.session.scalar(sa.select(sa.func.count(IncomingReport.id)).where(
        IncomingReport.summary == body["summary"])) == 1

    # 2. It waits in Sokuluk's triage queue, on the committee's home page.
    coordinator = login_as("coordinator.sokuluk")
    home = coordinator.get("/")
    assert "Incoming reports to triage" in home.text and "112 (emergencies)" in home.text
    queue = coordinator.get("/triage")
    assert body["summary"] in queue.text
    # ... and in no other district's.
    other = browser()
    post_form(other, "/login", {"username": "coordinator.karasuu",
                                "password": "demo-password-1"})
    assert body["summary"] not in other.get("/triage").text

    # 3. The committee turns it into a case (the intake, prefilled).
    url = f"/triage/{pid(report_id, 'incoming_report')}/case"
    intake = coordinator.get(url)
    assert intake.status_code == 200
    # The survivor gives a safe phone but no consent to messages on it.
    response = coordinator.post(url, data={**intake_form(**{"survivor-safe_phone": SAFE_PHONE}),
                                           "csrf_token": csrf_token(intake.text)})
    assert response.status_code == 302, response.text
    case_id = decode("case", re.match(r"/cases/([a-z2-7]{13})$",
                                      response.headers["Location"]).group(1))
    report = db.session.get(IncomingReport, report_id)
    db.session.refresh(report)
    assert report.status == ReportStatus.CASE_OPENED and report.case_id == case_id
    assert report.first_action_at is not None
    assert report.first_action_at - report.received_at >= timedelta(minutes=19)

    # 4. ... and refers it to the police on the ground of danger to life.
    case = db.session.get(Case, case_id)
    page = coordinator.get(f"/cases/{pid(case)}")
    sent = coordinator.post(f"/cases/{pid(case)}/referrals", data={
        "csrf_token": csrf_token(page.text), "to_agency": agency("SOKULUK-POLICE").id,
        "service": "police_protection", "priority": "urgent",
        "legal_ground": "danger_to_life"})
    assert sent.status_code == 302
    # What is to be sent was written with the referral and is in RQ's queue:
    # for the officer an e-mail and an SMS, for the police's system a webhook.
    db.session.expire_all()
    waiting = list(db.session.scalars(sa.select(Delivery).order_by(Delivery.id)))
    # (The police's system also hears of the follow-ups due in the demo data.)
    officer_id = user("police.sokuluk").id
    assert sorted((d.channel, d.recipient_user_id, d.recipient_person_id) for d in waiting
                  if d.channel != Channel.WEBHOOK) == [(Channel.EMAIL, officer_id, None),
                                                      (Channel.SMS, officer_id, None)]
    assert any(json.loads(d.body) == {"event": "referral_received", "case": pid(case),
                                      "occurred_at": json.loads(d.body)["occurred_at"]}
               for d in waiting if d.channel == Channel.WEBHOOK)
    assert rq_queue.count == len(waiting)
    assert smtp_server.messages == [] and gateway.requests == []
    survivor = next(p for p in case.people if p.role == PersonRole.SURVIVOR)
    assert survivor.safe_phone == SAFE_PHONE
    assert db.session.scalar(sa.select(ConsentRecord.id).where(
        ConsentRecord.case_id == case.id, ConsentRecord.scope == ConsentScope.SAFE_CONTACT)) is None

    # 5. The police's own system finds it and accepts it, naming the version.
    listed = api.get("/api/v1/referrals?direction=incoming",
                     headers=bearer(police_token))
    assert listed.status_code == 200
    item = next(i for i in listed.json["items"] if i["case_reference"] == case.reference)
    one = api.get(f"/api/v1/referrals/{item['id']}", headers=bearer(police_token))
    accepted = api.post(f"/api/v1/referrals/{item['id']}/accept", json={},
                        headers=bearer(police_token, **{"If-Match": one.headers["ETag"],
                                                         "Idempotency-Key": "acc-1"}))
    assert accepted.status_code == 200, accepted.text
    assert accepted.json["status"] == "accepted"
    referral = db.session.get(Referral, decode("referral", item["id"]))
    db.session.refresh(referral)
    assert referral.status == ReferralStatus.ACCEPTED
    assert referral.answered_by_id == police_system.service_user_id
    # The call is audited with the client's name (its service user).
    event = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == AuditAction.REFERRAL_CHANGED, AuditEvent.object_id == referral.id))
    assert event.user.full_name == "API: Police case register"

    # 6. The RQ worker delivers: the officer's e-mail and SMS, content-free.
    assert run_worker(rq_queue) is True
    db.session.expire_all()
    assert {d.status for d in db.session.scalars(sa.select(Delivery))} == {DeliveryStatus.SENT}
    [(to, mail)] = smtp_server.messages
    assert to == [OFFICER_EMAIL]
    assert mail["Subject"] == staff_message(user("police.sokuluk"))[0]
    texts = [body["message"]["text"] for body in gateway.accepted()]
    assert [body["recipient"] for body in gateway.accepted()] == [OFFICER_PHONE]
    assert {"event": "referral_received", "case": item["case_id"]}.items() <= (
        police_partner.accepted()[-1].items())
    for text in [mail.get_content(), *texts]:
        assert case.reference not in text and "Асанова" not in text and "Айгүл" not in text
    # ... and the survivor's safe phone got nothing: she did not agree to it.
    assert all(SAFE_PHONE.encode() not in body for _h, body, _s in gateway.requests)
