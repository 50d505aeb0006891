"""Writing deliveries to the outbox, in the caller's transaction.

Nothing here sends: these functions add rows, and after the commit each
row's RQ job (:mod:`coordination.deliveries.transport`) has the worker
send it. A
request that rolls back takes its deliveries with it.
"""
from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from coordination.accounts.models import User
from coordination.agencies.models import Agency
from coordination.consent.models import ConsentRecord, ConsentScope
from coordination.deliveries import transport
from coordination.deliveries.models import Channel, Delivery
from coordination.extensions import db
from coordination.models_base import utcnow


def _add(delivery: Delivery) -> Delivery:
    delivery.next_attempt_at = delivery.created_at = utcnow()
    db.session.add(delivery)
    transport.announce(delivery)  # its RQ job goes after the commit
    return delivery


def _language(user: User | None) -> str:
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    return (user.language if user is not None else None) or default


def email_on() -> bool:
    return bool(current_app.config["DELIVERY_EMAIL_ENABLED"])


def sms_on() -> bool:
    return bool(current_app.config["DELIVERY_SMS_ENABLED"]
                and current_app.config["SMS_GATEWAY_URL"])


def enqueue_email(user: User, subject: str, body: str) -> Delivery | None:
    """An e-mail to ``user`` (sent to the address the account has when it
    goes); None when e-mail is off or the user has no address. The caller
    writes ``subject`` and ``body`` in the user's language."""
    if not email_on() or not user.email:
        return None
    return _add(Delivery(channel=Channel.EMAIL, recipient_user_id=user.id,
                         subject=subject, body=body))


def enqueue_sms(user: User, text: str) -> Delivery | None:
    """An SMS to ``user``'s phone; None when SMS is off or there is no number."""
    if not sms_on() or not user.phone:
        return None
    return _add(Delivery(channel=Channel.SMS, recipient_user_id=user.id, body=text))


def enqueue_webhook(target: str, event: dict) -> Delivery | None:
    """A signed POST of ``event`` (JSON) to the configured partner ``target``."""
    if target not in current_app.config["DELIVERY_WEBHOOKS"]:
        return None
    return _add(Delivery(channel=Channel.WEBHOOK, webhook_target=target,
                         body=json.dumps(event, sort_keys=True)))


def survivor_may_be_messaged(person, now: datetime | None = None) -> bool:
    """A safe phone is marked and her consent to content-free messages is in force."""
    if not current_app.config["DELIVERY_SURVIVOR_SMS_ENABLED"] or not person.safe_phone:
        return False
    return db.session.scalar(sa.select(ConsentRecord.id).where(
        ConsentRecord.case_id == person.case_id,
        ConsentRecord.scope == ConsentScope.SAFE_CONTACT,
        ConsentRecord.withdrawn_at.is_(None)).limit(1)) is not None


def enqueue_survivor_message(person) -> Delivery | None:
    """The one message a survivor may get: content-free, to her safe phone,
    with her consent; None otherwise (nothing is written)."""
    if not sms_on() or not survivor_may_be_messaged(person):
        return None
    with force_locale(_language(None)):
        text = _("Please call back when it is convenient and safe for you.")
    return _add(Delivery(channel=Channel.SMS, recipient_person_id=person.id, body=text))


def staff_message(user: User) -> tuple[str, str, str]:
    """Subject, e-mail body and SMS text for a user: that there is something
    to do, in their language; never a name, a case or what happened."""
    site = current_app.config["DELIVERY_SITE_URL"]
    with force_locale(_language(user)):
        subject = _("Something new for your agency")
        body = _("There is something new for your agency in the case coordination system. "
                 "Sign in to see it.")
        if site:
            body = f"{body}\n\n{site}"
        sms = _("Case coordination: something new for your agency. Sign in to see it.")
    return subject, body, sms


def recipients(agency_id: int) -> list[User]:
    """The agency's staff who can be told: active accounts with an address."""
    return list(db.session.scalars(
        sa.select(User).join(User.agency).where(
            User.agency_id == agency_id, User.active.is_(True), Agency.active.is_(True),
            sa.or_(User.email.is_not(None), User.phone.is_not(None)))
        .order_by(User.id)))


def webhook_targets(agency: Agency) -> list[str]:
    """The configured partner systems of ``agency`` (by its code)."""
    return sorted(name for name, target in current_app.config["DELIVERY_WEBHOOKS"].items()
                  if target.get("agency") == agency.code)
