"""From a notification to deliveries: the one place
``notifications.services.notify`` calls, in the same transaction."""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from coordination import public_ids
from coordination.agencies.models import Agency
from coordination.cases.models import Person, PersonRole
from coordination.deliveries import services
from coordination.deliveries.models import Delivery
from coordination.deliveries.settings import any_channel_on
from coordination.extensions import db
from coordination.notifications.models import Notification, NotificationKind

#: What staff are told about outside the app: work waiting for their agency.
STAFF_KINDS = frozenset({
    NotificationKind.REFERRAL_RECEIVED, NotificationKind.FOLLOW_UP_ASSIGNED,
    NotificationKind.FOLLOW_UP_DUE, NotificationKind.ORDER_EXPIRING,
    NotificationKind.ORDER_VIOLATED,
})
#: When the survivor gets her content-free message: a new agency is to help her.
SURVIVOR_KINDS = frozenset({NotificationKind.REFERRAL_RECEIVED})


def deliver_notification(notification: Notification) -> list[Delivery]:
    """Enqueue what ``notification`` sends: e-mail and SMS to the agency's
    staff who have an address, its partner systems' webhooks, and the
    survivor's message where she agreed to it. Each channel decides whether
    it is on; nothing is written for a channel that is off."""
    if notification.kind not in STAFF_KINDS or not any_channel_on(current_app.config):
        return []
    agency = db.session.get(Agency, notification.agency_id)
    added: list[Delivery | None] = []
    if services.email_on() or services.sms_on():
        for user in services.recipients(agency.id):
            subject, body, sms = services.staff_message(user)
            added += [services.enqueue_email(user, subject, body),
                      services.enqueue_sms(user, sms)]
    for target in services.webhook_targets(agency):
        added.append(services.enqueue_webhook(target, _event(notification)))
    if notification.kind in SURVIVOR_KINDS and notification.case_id is not None:
        for survivor in _survivors(notification.case_id):
            added.append(services.enqueue_survivor_message(survivor))
    return [delivery for delivery in added if delivery is not None]


def _event(notification: Notification) -> dict:
    """The webhook's body: the kind of event, the case's public token (the
    partner reads the case through the API, where the policy decides) and
    the time; no personal data."""
    return {
        "event": notification.kind.value,
        "case": (public_ids.encode("case", notification.case_id)
                 if notification.case_id is not None else None),
        "occurred_at": notification.created_at.isoformat(timespec="seconds") + "Z",
    }


def _survivors(case_id: int) -> list[Person]:
    return list(db.session.scalars(sa.select(Person).where(
        Person.case_id == case_id, Person.role == PersonRole.SURVIVOR,
        Person.safe_phone.is_not(None))))
