"""Recording checks of an order (append-only, chained), correcting them,
the survivor's extension request and its answer."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from coordination import policy
from coordination.accounts.models import User
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.cases.models import TimelineKind
from coordination.cases.timeline import add_event
from coordination.extensions import db
from coordination.models_base import utcnow
from coordination.order_checks import chain
from coordination.order_checks.models import (
    CheckMethod,
    CheckOutcome,
    ExtensionAnswer,
    ExtensionRequest,
    OrderCheck,
)
from coordination.order_checks.response import start_breach_response
from coordination.order_checks.schedule import next_due
from coordination.protection import services as orders
from coordination.protection.models import OrderKind, OrderStatus, ProtectionOrder
from coordination.refusals import Forbidden, RuleBroken
from coordination.settings.services import all_settings

NOTE_LENGTH = 500


@dataclass(frozen=True)
class CheckData:
    method: CheckMethod
    outcome: CheckOutcome
    #: When the check took place (UTC); at most a few hours before now.
    stated_at: datetime
    note: str = ""
    #: The record this one corrects, if it is a correction.
    corrects_id: int | None = None


def _whole_seconds(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def _previous(order: ProtectionOrder) -> OrderCheck | None:
    return db.session.scalar(
        sa.select(OrderCheck).where(OrderCheck.order_id == order.id)
        .order_by(OrderCheck.sequence.desc()).limit(1).with_for_update())


def _last_stated(order: ProtectionOrder) -> datetime | None:
    return db.session.scalar(sa.select(sa.func.max(OrderCheck.stated_at)).where(
        OrderCheck.order_id == order.id, OrderCheck.corrects_id.is_(None)))


def _append(order: ProtectionOrder, check: OrderCheck) -> OrderCheck:
    """Put ``check`` at the end of the order's chain and hash it.

    The unique (order, sequence) pair makes a concurrent second append fail
    instead of forking the chain.
    """
    previous = _previous(order)
    check.sequence = previous.sequence + 1 if previous else 1
    check.previous_hash = previous.hash if previous else chain.GENESIS
    check.note_sha256 = chain.note_digest(check.note)
    check.hash = chain.digest(check, check.previous_hash)
    db.session.add(check)
    db.session.flush()
    return check


def _checked_time(data: CheckData, now: datetime, order: ProtectionOrder,
                  settings: dict) -> datetime:
    stated = _whole_seconds(data.stated_at)
    earliest = now - timedelta(hours=settings["order_check_backdate_hours"])
    if stated > now:
        raise RuleBroken(_("A check cannot be recorded before it took place."), "stated_at")
    if stated < earliest:
        raise RuleBroken(_("A check must be recorded within %(hours)d hours of taking place.",
                           hours=settings["order_check_backdate_hours"]), "stated_at")
    if stated < order.issued_at:
        raise RuleBroken(_("The check cannot lie before the order's issue."), "stated_at")
    return stated


def record_check(user: User, order: ProtectionOrder, data: CheckData,
                 now: datetime | None = None) -> OrderCheck:
    """Record a check of an active order; a suspected breach starts the response."""
    now = _whole_seconds(now or utcnow())
    if not policy.can(user, policy.Action.RECORD_ORDER_CHECK, order):
        raise Forbidden("this user may not record checks of this order")
    if data.corrects_id is not None:
        return correct_check(user, order, data, now)
    if order.status(now) != OrderStatus.ACTIVE:
        raise RuleBroken(_("Only an active order is checked."))
    settings = all_settings()
    stated = _checked_time(data, now, order, settings)
    note = (data.note or "").strip()
    if len(note) > NOTE_LENGTH:
        raise RuleBroken(_("The note is too long."), "note")
    due = next_due(order, order.case.risk_level, _last_stated(order), settings)
    check = _append(order, OrderCheck(
        order_id=order.id, checked_by_id=user.id, method=data.method, outcome=data.outcome,
        note=note, stated_at=stated, recorded_at=now, due_at=due))
    add_event(order.case, TimelineKind.ORDER_CHECKED, user, at=now)
    record(AuditAction.ORDER_CHECKED, user, "order_check", check.id)
    _consequences(user, order, check, now)
    return check


def _consequences(user: User, order: ProtectionOrder, check: OrderCheck, now: datetime):
    if check.outcome == CheckOutcome.BREACH:
        violation = orders.record_violation(user, order, check.stated_at, now=now)
        start_breach_response(user, order, violation, now)
    elif check.outcome == CheckOutcome.WANTS_EXTENSION:
        ask_extension(user, order, check, now)


def correct_check(user: User, order: ProtectionOrder, data: CheckData,
                  now: datetime) -> OrderCheck:
    """A correcting entry: a new record pointing at the one it puts right.

    It keeps the original's stated and due times (a time cannot be moved
    after the fact); only the method, outcome and note are restated.
    """
    original = db.session.get(OrderCheck, data.corrects_id)
    if original is None or original.order_id != order.id:
        raise RuleBroken(_("Choose a check of this order to correct."), "corrects")
    note = (data.note or "").strip()
    if not note:
        raise RuleBroken(_("Say what the correction puts right."), "note")
    if len(note) > NOTE_LENGTH:
        raise RuleBroken(_("The note is too long."), "note")
    check = _append(order, OrderCheck(
        order_id=order.id, checked_by_id=user.id, method=data.method, outcome=data.outcome,
        note=note, stated_at=original.stated_at, recorded_at=now, due_at=original.due_at,
        corrects_id=original.id))
    add_event(order.case, TimelineKind.CHECK_CORRECTED, user, at=now)
    record(AuditAction.ORDER_CHECKED, user, "order_check", check.id)
    return check


def ask_extension(user: User, order: ProtectionOrder, check: OrderCheck | None,
                  now: datetime) -> ExtensionRequest | None:
    """Record the survivor's request to extend a temporary order (once)."""
    if order.kind != OrderKind.TEMPORARY or order.extended_at is not None:
        return None
    if open_extension_request(order) is not None:
        return None
    request = ExtensionRequest(order_id=order.id, requested_on=(check.stated_at if check
                                                                else now).date(),
                               check_id=check.id if check else None,
                               recorded_by_id=user.id, recorded_at=now)
    db.session.add(request)
    add_event(order.case, TimelineKind.EXTENSION_ASKED, user, at=now)
    db.session.flush()
    return request


def open_extension_request(order: ProtectionOrder) -> ExtensionRequest | None:
    return db.session.scalar(sa.select(ExtensionRequest).where(
        ExtensionRequest.order_id == order.id, ExtensionRequest.answer.is_(None)))


def answer_extension(user: User, order: ProtectionOrder, answer: ExtensionAnswer,
                     now: datetime | None = None) -> ExtensionRequest:
    """Answer the open request: extend the order (its service) or refuse."""
    now = now or utcnow()
    if not policy.can(user, policy.Action.CHANGE_ORDER, order):
        raise Forbidden("only the issuing agency answers an extension request")
    request = open_extension_request(order)
    if request is None:
        raise RuleBroken(_("There is no open request to extend this order."))
    if answer == ExtensionAnswer.GRANTED:
        orders.extend_order(user, order, order.version, now=now)
    else:
        add_event(order.case, TimelineKind.EXTENSION_REFUSED, user, at=now)
    request.answer, request.answered_by_id, request.answered_at = answer, user.id, now
    record(AuditAction.EXTENSION_ANSWERED, user, "order_extension_request", request.id)
    db.session.flush()
    return request
