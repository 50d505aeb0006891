"""Deliveries through the outbox and the worker, against a real SMTP server
and HTTP receivers on 127.0.0.1 (tests/deliveries/conftest.py)."""
from __future__ import annotations

import hashlib
import hmac
import json
import signal
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from coordination.agencies.models import AgencyType
from coordination.cases.models import PersonRole
from coordination.consent.models import ConsentScope
from coordination.consent.services import record_consent
from coordination.deliveries import channels as channel_adapters
from coordination.deliveries import transport, worker
from coordination.deliveries.models import Channel, Delivery, DeliveryStatus
from coordination.extensions import db
from coordination.models_base import utcnow
from coordination.referrals import services as referral_services
from coordination.referrals.models import LegalGround, Priority, ReferralService
from tests.deliveries.conftest import run_jobs_inline, run_worker
from tests.helpers import csrf_token, pid

OFFICER_EMAIL, OFFICER_PHONE = "officer@police.example.kg", "+996555000111"
SAFE_PHONE = "+996700999888"


def _officer(user):
    officer = user("police.sokuluk")
    officer.email, officer.phone = OFFICER_EMAIL, OFFICER_PHONE
    return officer


def _survivor(case):
    return next(p for p in case.people if p.role == PersonRole.SURVIVOR)


def _deliveries() -> list[Delivery]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Delivery).order_by(Delivery.id)))


def _refer_through_the_page(client, case, police_id):
    token = csrf_token(client.get(f"/cases/{pid(case)}").text)
    return client.post(f"/cases/{pid(case)}/referrals", data={
        "csrf_token": token, "to_agency": police_id, "service": "police_protection",
        "priority": "urgent", "legal_ground": "danger_to_life"})


def _sms_to(gateway, number):
    return [body for body in gateway.accepted() if body["recipient"] == number]


def test_channels_are_off_by_default_and_nothing_is_written(app, new_case, user, agency):
    assert not app.config["DELIVERY_EMAIL_ENABLED"]
    assert not app.config["DELIVERY_SMS_ENABLED"]
    assert not app.config["DELIVERY_WEBHOOKS"]
    _officer(user)
    case = new_case()
    referral_services.send_referral(user("coordinator.sokuluk"), case,
                                    agency("SOKULUK-POLICE").id,
                                    ReferralService.POLICE_PROTECTION, Priority.URGENT,
                                    LegalGround.DANGER_TO_LIFE)
    db.session.commit()
    assert _deliveries() == []


def test_police_officer_gets_email_and_sms_and_the_survivor_only_with_consent(
        app, login_as, new_case, user, agency, channels, smtp_server):
    """A referral to the police reaches the officer by e-mail and SMS through
    the delivery job; the survivor's safe phone gets one content-free
    message, and only for the case where she agreed to it."""
    gateway, partner = channels
    _officer(user)
    without, with_consent = new_case(), new_case()
    for case in (without, with_consent):
        _survivor(case).safe_phone = SAFE_PHONE
    record_consent(user("coordinator.sokuluk"), with_consent, ConsentScope.SAFE_CONTACT)
    db.session.commit()
    police = agency("SOKULUK-POLICE").id

    client = login_as("coordinator.sokuluk")
    assert _refer_through_the_page(client, without, police).status_code == 302
    written = _deliveries()
    assert sorted(d.channel for d in written) == [Channel.EMAIL, Channel.SMS, Channel.WEBHOOK]
    assert run_jobs_inline() == 3
    assert [to for to, _message in smtp_server.messages] == [[OFFICER_EMAIL]]
    assert len(_sms_to(gateway, OFFICER_PHONE)) == 1
    assert _sms_to(gateway, SAFE_PHONE) == []  # no consent, nothing

    assert _refer_through_the_page(client, with_consent, police).status_code == 302
    assert run_jobs_inline() == 4
    assert len(smtp_server.messages) == 2 and len(_sms_to(gateway, OFFICER_PHONE)) == 2
    [to_her] = _sms_to(gateway, SAFE_PHONE)
    # In the deployment's language (Kyrgyz here): hers is not recorded.
    assert to_her["message"]["text"] == "Сизге ыңгайлуу жана коопсуз болгондо кайра чалыңыз."
    assert {d.status for d in _deliveries()} == {DeliveryStatus.SENT}

    # Nothing sent names the survivor or the case, in any channel.
    secrets_of_the_case = {with_consent.reference, without.reference, "Жумабаева", "Айжан",
                           "Сокулук", "+996 700 111222"}
    sent = [m.get_content() + m["Subject"] for _to, m in smtp_server.messages]
    sent += [json.dumps(b, ensure_ascii=False) for b in gateway.accepted()]
    for text in sent:
        assert not any(secret in text for secret in secrets_of_the_case), text
    from coordination.deliveries.services import staff_message

    assert smtp_server.messages[0][1]["Subject"] == staff_message(user("police.sokuluk"))[0]
    # The partner learns the kind of event and the case's public token only.
    assert partner.accepted()[-1] == {
        "event": "referral_received", "case": pid(with_consent),
        "occurred_at": partner.accepted()[-1]["occurred_at"]}


def test_withdrawn_consent_before_sending_sends_nothing_to_her(
        app, new_case, user, agency, channels):
    gateway, _partner = channels
    case = new_case()
    _survivor(case).safe_phone = SAFE_PHONE
    coordinator = user("coordinator.sokuluk")
    consent = record_consent(coordinator, case, ConsentScope.SAFE_CONTACT)
    record_consent(coordinator, case, ConsentScope.SHARING, AgencyType.POLICE)
    referral_services.send_referral(coordinator, case, agency("SOKULUK-POLICE").id,
                                    ReferralService.POLICE_PROTECTION, Priority.NORMAL)
    db.session.commit()
    [to_her] = [d for d in _deliveries() if d.recipient_person_id is not None]
    from coordination.consent.services import withdraw_consent

    withdraw_consent(coordinator, consent)
    db.session.commit()
    run_jobs_inline()
    db.session.refresh(to_her)
    assert to_her.status == DeliveryStatus.DISCARDED
    assert _sms_to(gateway, SAFE_PHONE) == []


def test_a_rolled_back_request_sends_nothing(app, login_as, new_case, user, agency, channels,
                                             monkeypatch, smtp_server):
    gateway, partner = channels
    _officer(user)
    case = new_case()
    original = referral_services.send_referral

    def send_then_fail(*args, **kwargs):
        original(*args, **kwargs)  # the notification and its deliveries are flushed
        assert db.session.scalar(sa.select(sa.func.count(Delivery.id))) == 3
        raise RuntimeError("after the flush")

    monkeypatch.setattr(referral_services, "send_referral", send_then_fail)
    with pytest.raises(RuntimeError, match="after the flush"):
        _refer_through_the_page(login_as("coordinator.sokuluk"), case,
                                agency("SOKULUK-POLICE").id)
    assert _deliveries() == []
    assert run_jobs_inline() == 0
    assert smtp_server.messages == [] and gateway.requests == [] and partner.requests == []


def test_a_gateway_that_fails_twice_is_retried_with_backoff(app, receiver, monkeypatch, user):
    gateway = receiver(failures=2)
    monkeypatch.setitem(app.config, "DELIVERY_SMS_ENABLED", True)
    monkeypatch.setitem(app.config, "SMS_GATEWAY_URL", gateway.url)
    monkeypatch.setitem(app.config, "SMS_GATEWAY_TOKEN", "gateway-token")
    from coordination.deliveries.services import enqueue_sms

    delivery = enqueue_sms(_officer(user), "Something to do")
    db.session.commit()
    start = utcnow()

    assert worker.process_one(delivery.id, start) == DeliveryStatus.PENDING
    assert (delivery.attempts, delivery.last_error) == (1, "HTTP 503")
    assert delivery.next_attempt_at == start + timedelta(seconds=30)
    # Not due yet: the worker leaves it alone.
    assert worker.process_one(delivery.id, start + timedelta(seconds=29)) is None
    assert worker.process_one(delivery.id, start + timedelta(seconds=30)) == (
        DeliveryStatus.PENDING)
    assert delivery.next_attempt_at == start + timedelta(seconds=30 + 60)  # doubled
    assert worker.process_one(delivery.id, start + timedelta(seconds=90)) == DeliveryStatus.SENT
    assert delivery.attempts == 3 and delivery.last_error is None
    assert [status for _h, _b, status in gateway.requests] == [503, 503, 200]
    headers, body, _status = gateway.requests[-1]
    assert headers["Authorization"] == "Bearer gateway-token"
    assert json.loads(body) == {"to": OFFICER_PHONE, "text": "Something to do"}


def test_backoff_doubles_and_is_capped(app):
    config = {"DELIVERY_BACKOFF_BASE_SECONDS": 30, "DELIVERY_BACKOFF_MAX_SECONDS": 600}
    assert [worker.backoff(n, config).total_seconds() for n in range(1, 7)] == [
        30, 60, 120, 240, 480, 600]


def test_a_partner_that_never_accepts_ends_on_the_dead_letter_list(
        app, receiver, monkeypatch, login_as):
    partner = receiver(failures=-1)
    monkeypatch.setitem(app.config, "DELIVERY_WEBHOOKS", {
        "shelter": {"agency": "SOKULUK-SOCIAL", "url": partner.url, "secret": "s"}})
    monkeypatch.setitem(app.config, "DELIVERY_MAX_ATTEMPTS", 3)
    from coordination.deliveries.services import enqueue_webhook

    delivery = enqueue_webhook("shelter", {"event": "follow_up_due"})
    db.session.commit()
    moment = utcnow()
    for _attempt in range(3):
        worker.process_one(delivery.id, moment)
        moment = delivery.next_attempt_at
    assert delivery.status == DeliveryStatus.DEAD and delivery.attempts == 3
    assert len(partner.requests) == 3
    db.session.commit()
    # Never tried again (dead is not waiting).
    assert worker.process_one(delivery.id, moment + timedelta(days=1)) is None

    client = login_as("admin")
    page = client.get("/admin/deliveries").text
    assert "shelter" in page and "HTTP 503" in page
    retry_url = f"/admin/deliveries/{pid(delivery)}/retry"
    assert retry_url in page
    confirm = client.get(retry_url)
    assert confirm.status_code == 200
    response = client.post(retry_url, data={"csrf_token": csrf_token(confirm.text)})
    assert response.status_code == 302
    db.session.expire_all()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)
    # Retried, failed again to the end, then discarded.
    moment = utcnow()
    for _attempt in range(3):
        worker.process_one(delivery.id, moment)
        moment = delivery.next_attempt_at
    db.session.commit()
    discard_url = f"/admin/deliveries/{pid(delivery)}/discard"
    response = client.post(discard_url, data={"csrf_token": csrf_token(confirm.text)})
    assert response.status_code == 302
    db.session.expire_all()
    assert delivery.status == DeliveryStatus.DISCARDED
    assert "No failed deliveries." in client.get("/admin/deliveries").text
    # A delivery no longer on the list cannot be retried: a message, no change.
    again = client.post(retry_url, data={"csrf_token": csrf_token(confirm.text)})
    assert again.status_code == 200 and "no longer on the list" in again.text
    from coordination.audit.models import AuditAction, AuditEvent

    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.object_type == "delivery", AuditEvent.object_id == delivery.id,
        AuditEvent.action.in_([AuditAction.DELIVERY_RETRIED,
                               AuditAction.DELIVERY_DISCARDED]))) == 2


@pytest.mark.parametrize("username", ["coordinator.sokuluk", "police.sokuluk",
                                      "ministry.analyst"])
def test_only_administrators_see_the_outbox(login_as, username):
    assert login_as(username).get("/admin/deliveries").status_code == 403


def test_webhooks_are_signed_as_documented(app, receiver, monkeypatch):
    """The verification a partner would write (docs/deliveries.md)."""
    partner = receiver()
    monkeypatch.setitem(app.config, "DELIVERY_WEBHOOKS", {
        "police-system": {"agency": "SOKULUK-POLICE", "url": partner.url,
                          "secret": "partner-secret"}})
    from coordination.deliveries.services import enqueue_webhook

    delivery = enqueue_webhook("police-system", {"event": "referral_received", "case": "x"})
    db.session.commit()
    assert run_jobs_inline() == 1
    [(headers, body, _status)] = partner.requests
    timestamp = headers["X-Coordination-Timestamp"]
    expected = hmac.new(b"partner-secret", timestamp.encode() + b"." + body,
                        hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Coordination-Signature"], f"sha256={expected}")
    assert abs(int(timestamp) - int(utcnow().timestamp())) < 60
    assert headers["X-Coordination-Delivery"] == str(delivery.id)
    # Another secret, or a changed body, does not verify.
    forged = hmac.new(b"other", timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert headers["X-Coordination-Signature"] != f"sha256={forged}"


def test_the_sms_body_template_cannot_be_broken_by_the_text():
    body = channel_adapters.sms_body('{"to": "{to}", "text": "{text}", "from": "KG"}',
                                     "+996", 'a "quoted" {text}\n')
    assert json.loads(body) == {"to": "+996", "text": 'a "quoted" {text}\n', "from": "KG"}


def test_email_goes_through_the_smtp_server_in_the_users_language(
        app, smtp_server, monkeypatch, user):
    monkeypatch.setitem(app.config, "DELIVERY_EMAIL_ENABLED", True)
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", smtp_server.port)
    monkeypatch.setitem(app.config, "DELIVERY_SITE_URL", "https://coordination.example.kg")
    from coordination.deliveries.services import enqueue_email, staff_message

    officer = _officer(user)
    officer.language = "ru"
    subject, body, _sms = staff_message(officer)
    enqueue_email(officer, subject, body)
    db.session.commit()
    assert run_jobs_inline() == 1
    [(to, message)] = smtp_server.messages
    assert to == [OFFICER_EMAIL]
    assert message["Subject"] == subject != "Something new for your agency"
    assert message.get_content().rstrip().endswith("https://coordination.example.kg")


def test_an_smtp_server_that_is_down_is_retried(app, monkeypatch, user):
    monkeypatch.setitem(app.config, "DELIVERY_EMAIL_ENABLED", True)
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    from tests.deliveries.conftest import _free_port

    monkeypatch.setitem(app.config, "SMTP_PORT", _free_port())  # nobody listens
    from coordination.deliveries.services import enqueue_email

    delivery = enqueue_email(_officer(user), "s", "b")
    db.session.commit()
    assert run_jobs_inline() == 1
    assert (delivery.status, delivery.last_error) == (
        DeliveryStatus.PENDING, "ConnectionRefusedError")


def test_jobs_go_to_redis_after_the_commit_and_the_rq_worker_sends_them(
        app, rq_queue, new_case, user, agency, channels, smtp_server):
    """RQ is the transport: one job per delivery, enqueued when the request
    commits (not before), run by RQ's worker; the outbox row holds the state."""
    gateway, partner = channels
    _officer(user)
    case = new_case()
    referral_services.send_referral(user("coordinator.sokuluk"), case,
                                    agency("SOKULUK-POLICE").id,
                                    ReferralService.POLICE_PROTECTION, Priority.URGENT,
                                    LegalGround.DANGER_TO_LIFE)
    db.session.flush()
    assert rq_queue.count == 0  # written, not yet committed: nothing in Redis
    db.session.commit()
    written = _deliveries()
    assert len(written) == 3
    assert sorted(rq_queue.job_ids) == sorted(
        transport.job_id(rq_queue.name, d.id, 0) for d in written)
    assert smtp_server.messages == []  # the request itself sends nothing

    assert run_worker(rq_queue) is True
    assert {d.status for d in _deliveries()} == {DeliveryStatus.SENT}
    assert [to for to, _message in smtp_server.messages] == [[OFFICER_EMAIL]]
    assert len(_sms_to(gateway, OFFICER_PHONE)) == 1 and len(partner.accepted()) == 1
    assert rq_queue.count == 0


def test_a_rollback_enqueues_nothing_not_even_from_a_savepoint(app, rq_queue, user, channels):
    from coordination.deliveries.services import enqueue_email

    officer = _officer(user)
    enqueue_email(officer, "s", "b")
    db.session.flush()
    db.session.rollback()
    assert _deliveries() == [] and rq_queue.count == 0

    officer = _officer(user)
    kept = enqueue_email(officer, "kept", "b")
    with db.session.begin_nested() as savepoint:
        enqueue_email(officer, "dropped", "b")
        db.session.flush()
        savepoint.rollback()
    db.session.commit()
    assert [d.subject for d in _deliveries()] == ["kept"]
    assert rq_queue.job_ids == [transport.job_id(rq_queue.name, kept.id, 0)]


def test_a_failed_attempt_is_retried_through_the_rq_scheduler_with_backoff(
        app, rq_queue, receiver, monkeypatch, user):
    """A gateway that fails twice before it accepts: each failure is
    committed in the row and its retry scheduled in RQ at
    ``next_attempt_at`` (1 s, then 2 s here); the third attempt is sent."""
    gateway = receiver(failures=2)
    for key, value in {"DELIVERY_SMS_ENABLED": True, "SMS_GATEWAY_URL": gateway.url,
                       "DELIVERY_BACKOFF_BASE_SECONDS": 1}.items():
        monkeypatch.setitem(app.config, key, value)
    from rq.registry import ScheduledJobRegistry

    from coordination.deliveries.services import enqueue_sms

    delivery = enqueue_sms(_officer(user), "Something to do")
    db.session.commit()
    scheduled = ScheduledJobRegistry(queue=rq_queue)
    for attempt in (1, 2):
        run_worker(rq_queue)
        db.session.refresh(delivery)
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, attempt)
        assert delivery.last_error == "HTTP 503"
        retry = transport.job_id(rq_queue.name, delivery.id, attempt)
        assert scheduled.get_job_ids() == [retry]
        at = scheduled.get_scheduled_time(retry).replace(tzinfo=None)
        # Never before it is due (whole seconds, rounded up).
        assert timedelta(0) <= at - delivery.next_attempt_at < timedelta(seconds=1)
        assert run_worker(rq_queue) is False  # not yet
        time.sleep(max((at - utcnow()).total_seconds(), 0) + 0.2)
    run_worker(rq_queue)
    db.session.refresh(delivery)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 3)
    assert [status for _h, _b, status in gateway.requests] == [503, 503, 200]
    assert scheduled.get_job_ids() == [] and rq_queue.count == 0


def test_what_redis_missed_at_the_commit_is_swept_when_the_worker_starts(
        app, rq_queue, monkeypatch, user, smtp_server, login_as):
    """Redis away when the request commits: the request succeeds, the row
    waits; the worker's sweep enqueues it, once however often it sweeps."""
    for key, value in {"DELIVERY_EMAIL_ENABLED": True, "SMTP_HOST": "127.0.0.1",
                       "SMTP_PORT": smtp_server.port}.items():
        monkeypatch.setitem(app.config, key, value)
    from coordination.deliveries.services import enqueue_email
    from tests.deliveries.conftest import _free_port

    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{_free_port()}/0")
    delivery = enqueue_email(_officer(user), "s", "b")
    db.session.commit()  # the enqueue fails quietly
    from tests.deliveries.conftest import REDIS_URL

    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    assert rq_queue.count == 0 and delivery.status == DeliveryStatus.PENDING
    assert transport.sweep() == 1
    assert transport.sweep() == 0  # already waiting: not twice
    # The periodic sweep takes only what is overdue by a whole period.
    assert transport.sweep(overdue_by=timedelta(minutes=1)) == 0
    run_worker(rq_queue)
    db.session.refresh(delivery)
    assert delivery.status == DeliveryStatus.SENT and len(smtp_server.messages) == 1


def test_the_worker_command_needs_redis_and_sends_in_burst_mode(
        app, rq_queue, monkeypatch, user, smtp_server):
    for key, value in {"DELIVERY_EMAIL_ENABLED": True, "SMTP_HOST": "127.0.0.1",
                       "SMTP_PORT": smtp_server.port}.items():
        monkeypatch.setitem(app.config, key, value)
    from coordination.deliveries.services import enqueue_email

    handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    runner = app.test_cli_runner()
    try:
        delivery = enqueue_email(_officer(user), "s", "b")
        db.session.commit()
        result = runner.invoke(args=["deliveries", "work", "--burst"])
        assert result.exit_code == 0, result.output
        db.session.refresh(delivery)
        assert delivery.status == DeliveryStatus.SENT and len(smtp_server.messages) == 1
        monkeypatch.setitem(app.config, "REDIS_URL", None)
        result = runner.invoke(args=["deliveries", "work", "--burst"])
        assert result.exit_code == 1 and "Redis" in result.output
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)


def test_make_run_starts_the_worker_only_with_a_channel_and_redis(app, monkeypatch):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["deliveries", "ready"]).exit_code == 1  # nothing on
    monkeypatch.setitem(app.config, "DELIVERY_EMAIL_ENABLED", True)
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    result = runner.invoke(args=["deliveries", "ready"])
    assert result.exit_code == 1 and "Redis" in result.output


def test_each_user_sets_their_own_addresses(login_as, user):
    client = login_as("police.sokuluk")
    page = client.get("/profile/notifications")
    assert page.status_code == 200
    token = csrf_token(page.text)
    bad = client.post("/profile/notifications", data={
        "csrf_token": token, "email": "not an address", "phone": "+996 555 123456"})
    assert bad.status_code == 200 and "Enter an e-mail address" in bad.text
    officer = user("police.sokuluk")
    assert (officer.email, officer.phone) == (None, None)  # refused: nothing changed
    saved = client.post("/profile/notifications", data={
        "csrf_token": token, "email": OFFICER_EMAIL, "phone": "+996 555 123456"})
    assert saved.status_code == 302
    officer = user("police.sokuluk")
    assert (officer.email, officer.phone) == (OFFICER_EMAIL, "+996 555 123456")
    from coordination.audit.models import AuditAction, AuditEvent

    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == AuditAction.CONTACTS_CHANGED,
        AuditEvent.object_id == officer.id)) == 1


def test_intake_records_the_safe_phone_and_the_case_page_shows_it(login_as):
    from coordination.cases.models import Case
    from coordination.public_ids import decode
    from tests.cases.test_intake import intake_form
    from tests.helpers import post_form

    client = login_as("coordinator.sokuluk")
    response = post_form(client, "/cases/new", intake_form(**{"survivor-safe_phone": SAFE_PHONE}))
    assert response.status_code == 302
    case = db.session.get(Case, decode("case", response.headers["Location"].rsplit("/", 1)[1]))
    # On the survivor only (not the perpetrator, not a child who witnessed it).
    assert [(p.role, p.first_name) for p in case.people if p.safe_phone == SAFE_PHONE] == [
        (PersonRole.SURVIVOR, "Айгүл")]
    assert f"Safe phone: {SAFE_PHONE}" in client.get(response.headers["Location"]).text


def test_a_job_lost_from_its_list_is_enqueued_again_by_the_sweep(app, rq_queue, user,
                                                                 channels, smtp_server):
    """Its hash alone does not count as waiting: the sweep replaces it."""
    from coordination.deliveries.services import enqueue_email

    delivery = enqueue_email(_officer(user), "s", "b")
    db.session.commit()
    assert rq_queue.count == 1 and transport.sweep() == 0  # waiting: not twice
    rq_queue.connection.delete(rq_queue.key)  # the list is lost, the job's hash is not
    assert transport.sweep() == 1
    run_worker(rq_queue)
    db.session.refresh(delivery)
    assert delivery.status == DeliveryStatus.SENT and len(smtp_server.messages) == 1
