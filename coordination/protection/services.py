"""Recording protection orders, extending and revoking them, violations."""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from coordination import policy
from coordination.accounts.models import User
from coordination.agencies.models import AgencyType
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.cases.models import Case, TimelineKind
from coordination.cases.timeline import add_event, text
from coordination.extensions import db
from coordination.followups.services import FollowUpData, add_follow_up
from coordination.i18n import ngettext
from coordination.models_base import utcnow
from coordination.notifications.models import NotificationKind
from coordination.notifications.services import notify
from coordination.protection.models import (
    PROHIBITIONS,
    OrderKind,
    OrderStatus,
    OrderViolation,
    ProtectionOrder,
)
from coordination.referrals.models import LegalGround
from coordination.refusals import Forbidden, NotFound, RuleBroken
from coordination.settings.services import get_setting
from coordination.workflow import check_version


@dataclass
class OrderData:
    kind: OrderKind
    issued_at: datetime
    #: Court restrictions only: their length in months (up to the maximum).
    months: int | None = None
    prohibitions: set[str] = field(default_factory=lambda: {"prohibits_violence"})
    electronic_monitoring: bool = False


def _months(start: datetime, months: int) -> datetime:
    """``start`` plus calendar months (the day clamped to the month's length)."""
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)


def record_order(user: User, case: Case, data: OrderData, now: datetime | None = None
                 ) -> ProtectionOrder:
    """Record a temporary order (police only) or court restrictions.

    The end comes from the settings: a temporary order lasts
    ``temporary_order_days``; court restrictions the months given, at most
    ``court_order_max_months``. Electronic monitoring belongs to court orders.
    """
    action = (policy.Action.ISSUE_TEMPORARY_ORDER if data.kind == OrderKind.TEMPORARY
              else policy.Action.RECORD_COURT_ORDER)
    if not policy.can(user, action, case):
        raise Forbidden("this user may not record this kind of order")
    now = now or utcnow()
    if data.issued_at > now:
        raise RuleBroken(_("The order cannot be issued in the future."))
    if not data.prohibitions or not data.prohibitions <= set(PROHIBITIONS):
        raise RuleBroken(_("Choose at least one prohibition."))
    if data.kind == OrderKind.TEMPORARY:
        if data.electronic_monitoring:
            raise RuleBroken(_("Electronic monitoring comes with court restrictions only."))
        valid_until = data.issued_at + timedelta(days=get_setting("temporary_order_days"))
    else:
        maximum = get_setting("court_order_max_months")
        if not data.months or not 1 <= data.months <= maximum:
            raise RuleBroken(ngettext("Court restrictions last from 1 to %(num)s month.",
                                         "Court restrictions last from 1 to %(num)s months.",
                                         maximum))
        valid_until = _months(data.issued_at, data.months)
    order = ProtectionOrder(
        kind=data.kind, issuing_agency_id=user.agency_id, issued_at=data.issued_at,
        valid_until=valid_until, electronic_monitoring=data.electronic_monitoring,
        recorded_by_id=user.id, recorded_at=now,
        **{name: name in data.prohibitions for name in PROHIBITIONS},
    )
    case.protection_orders.append(order)
    db.session.flush()
    add_event(case, TimelineKind.ORDER_ISSUED, user, at=now)
    record(AuditAction.ORDER_RECORDED, user, "protection_order", order.id)
    return order


def describe(order: ProtectionOrder, now: datetime) -> str:
    return _("the order is now “%(status)s”, valid until %(until)s",
             status=order.status(now).label,
             until=format_datetime(order.valid_until, "short"))


def extend_order(user: User, order: ProtectionOrder, expected_version: int | None,
                 now: datetime | None = None) -> ProtectionOrder:
    """Extend an active temporary order to ``extended_temporary_order_days``
    from its issue, at the survivor's request (once)."""
    now = now or utcnow()
    if not policy.can(user, policy.Action.CHANGE_ORDER, order):
        raise Forbidden("only the issuing agency changes an order")
    check_version(order, expected_version, describe(order, now))
    if order.kind != OrderKind.TEMPORARY or order.extended_at is not None:
        raise RuleBroken(_("Only a temporary order can be extended, and only once."))
    if order.status(now) != OrderStatus.ACTIVE:
        raise RuleBroken(_("This step is not possible now: %(what)s.",
                              what=describe(order, now)))
    days = get_setting("extended_temporary_order_days")
    order.valid_until = order.issued_at + timedelta(days=days)
    order.extended_at = now
    add_event(order.case, TimelineKind.ORDER_EXTENDED, user, at=now)
    record(AuditAction.ORDER_CHANGED, user, "protection_order", order.id)
    db.session.flush()
    return order


def revoke_order(user: User, order: ProtectionOrder, expected_version: int | None,
                 reason: str | None, now: datetime | None = None) -> ProtectionOrder:
    """Revoke an active order, for ``reason`` (required: the survivor loses
    a protection, and whoever reads the case must be able to see why)."""
    now = now or utcnow()
    if not policy.can(user, policy.Action.CHANGE_ORDER, order):
        raise Forbidden("only the issuing agency changes an order")
    check_version(order, expected_version, describe(order, now))
    if order.status(now) != OrderStatus.ACTIVE:
        raise RuleBroken(_("This step is not possible now: %(what)s.",
                              what=describe(order, now)))
    if not (reason or "").strip():
        raise RuleBroken(_("Give the reason for revoking the order."), field="reason")
    order.revoked_at = now
    add_event(order.case, TimelineKind.ORDER_REVOKED, user, at=now,
              detail=text("reason", reason))
    record(AuditAction.ORDER_CHANGED, user, "protection_order", order.id)
    db.session.flush()
    return order


def record_violation(user: User, order: ProtectionOrder, occurred_at: datetime,
                     now: datetime | None = None) -> OrderViolation:
    """Record a breach of an active order and give the police an urgent follow-up.

    The follow-up goes to the police agency that issued the order (or, for a
    court order recorded by another agency, the police serving the case's
    place), due the same day.
    """
    now = now or utcnow()
    if not policy.can(user, policy.Action.RECORD_VIOLATION, order):
        raise Forbidden("this user may not record violations on this case")
    if occurred_at > now or occurred_at < order.issued_at:
        raise RuleBroken(_("The violation must lie between the order's issue and now."))
    police = order.issuing_agency
    if police.type != AgencyType.POLICE:
        police = next((a for a in db.session.scalars(policy.agencies_serving(order.case))
                       if a.type == AgencyType.POLICE), None)
        if police is None:
            raise RuleBroken(_("No police agency serves this case's place."))
    # A breach of an order answers a danger to the survivor: the police must
    # act whether or not the survivor consented to sharing with them (the
    # override is audited like any other).
    follow_up = add_follow_up(user, order.case, FollowUpData(
        action=_("Respond to the violation of the protection order"),
        owner_agency_id=police.id, due_on=now.date(),
        legal_ground=LegalGround.DANGER_TO_LIFE), now=now)
    violation = OrderViolation(occurred_at=occurred_at, follow_up_id=follow_up.id,
                               recorded_by_id=user.id, recorded_at=now)
    order.violations.append(violation)
    db.session.flush()
    add_event(order.case, TimelineKind.ORDER_VIOLATED, user, at=now,
              related_agency_id=police.id)
    notify(police.id, NotificationKind.ORDER_VIOLATED, order.case_id, user.agency_id, at=now)
    record(AuditAction.VIOLATION_RECORDED, user, "order_violation", violation.id)
    return violation


def get_order_or_404(user: User, order_id: int) -> ProtectionOrder:
    """The order if its case is visible to ``user`` and they read it
    (``policy.reads_item``: a former party, its own); 404 otherwise."""
    order = db.session.scalar(
        sa.select(ProtectionOrder).join(ProtectionOrder.case)
        .where(ProtectionOrder.id == order_id, policy.case_visibility_per_row(user)))
    if order is None or not policy.reads_item(user, order):
        raise NotFound()
    return order


def expiring_orders(user: User, now: datetime) -> list[ProtectionOrder]:
    """Active orders ending within ``ORDER_WARNING_HOURS``, for the inboxes.

    Those the user's agency watches (:func:`policy.watched_orders`), on cases
    the user may see.
    """
    horizon = now + timedelta(hours=current_app.config["ORDER_WARNING_HOURS"])
    query = (
        sa.select(ProtectionOrder).join(ProtectionOrder.case)
        .where(ProtectionOrder.revoked_at.is_(None), ProtectionOrder.valid_until > now,
               ProtectionOrder.valid_until <= horizon, policy.watched_orders(user.agency),
               policy.case_visibility(user))
        .options(joinedload(ProtectionOrder.case))
        .order_by(ProtectionOrder.valid_until)
    )
    return list(db.session.scalars(query))
