"""Demo checks of protection orders, added after everything else so that the
rest of the demo stays as it was: schedules kept on time, a late check, a
missed one, an order whose missed check reached the committee, a breach
found at a check with its reassessment, and an extension request."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

import sqlalchemy as sa

from coordination import policy
from coordination.accounts.models import User
from coordination.agencies.models import AgencyType
from coordination.cases.models import Case, CaseStatus
from coordination.extensions import db
from coordination.followups.models import FollowUp, FollowUpStatus
from coordination.followups.services import close_follow_up
from coordination.order_checks.models import CheckMethod, CheckOutcome, ExtensionAnswer
from coordination.order_checks.schedule import next_due
from coordination.order_checks.services import CheckData, answer_extension, record_check
from coordination.protection.models import OrderKind, OrderStatus, ProtectionOrder
from coordination.protection.services import OrderData, record_order
from coordination.risk.services import assess, questions
from coordination.settings.services import all_settings

NOTES = ("Пострадавшая в безопасности, нарушений нет", "Звонок на безопасный номер",
         "Посещение по месту проживания", "")


def add_order_checks(seed: int, district_staff: list[dict[AgencyType, User]],
                     now: datetime) -> None:
    # Made-up demo data, reproducible from the seed; nothing secret is drawn.
    rng = random.Random(seed * 19 + 1)  # nosec B311
    for index, staff in enumerate(district_staff):
        police = staff[AgencyType.POLICE]
        active = _active_orders(police, now)
        for number, order in enumerate(active):
            _checks(rng, police, order, now, late=number == 1, skip_last=number == 2)
        if index == 0:
            _escalated(rng, police, now)
            if len(active) > 3:
                _breach(rng, staff, active[-1], now)
        elif active:
            _asks_extension(police, active[0], now)
    db.session.flush()


def _active_orders(police: User, now: datetime) -> list[ProtectionOrder]:
    return list(db.session.scalars(
        sa.select(ProtectionOrder).where(
            ProtectionOrder.issuing_agency_id == police.agency_id,
            ProtectionOrder.revoked_at.is_(None), ProtectionOrder.valid_until > now,
            ProtectionOrder.issued_at <= now).order_by(ProtectionOrder.id)))


def _check(rng, police, order, stated, outcome=CheckOutcome.KEPT, now=None):
    recorded = min(stated + timedelta(minutes=rng.randint(10, 120)), now)
    return record_check(police, order, CheckData(
        method=rng.choice([CheckMethod.VISIT, CheckMethod.CALL, CheckMethod.VISIT]),
        outcome=outcome, stated_at=stated, note=rng.choice(NOTES)), now=recorded)


def _checks(rng, police, order, now, late=False, skip_last=False) -> None:
    """Checks at the schedule's times up to now; one late, or the last missed."""
    settings = all_settings()
    last = None
    while True:
        due = next_due(order, order.case.risk_level, last, settings)
        if due is None or due > now:
            return
        stated = due + timedelta(hours=rng.randint(3, 9)) if late else \
            due - timedelta(hours=rng.randint(1, 8))
        late = False
        stated = max(stated, order.issued_at + timedelta(minutes=30))
        if stated > now:
            return
        following = next_due(order, order.case.risk_level, stated, settings)
        if skip_last and (following is None or following > now):
            return  # the last check due is missed
        _check(rng, police, order, stated, now=now)
        last = stated


def _escalated(rng, police: User, now: datetime) -> None:
    """An extended order checked once, then not for days: with the committee."""
    cases = db.session.scalars(sa.select(Case).where(
        Case.status != CaseStatus.CLOSED, Case.created_at < now - timedelta(days=10),
        ~Case.protection_orders.any()).order_by(Case.id))
    case = next((c for c in cases
                 if policy.can(police, policy.Action.ISSUE_TEMPORARY_ORDER, c)), None)
    if case is None:
        return
    issued = now - timedelta(days=6, hours=2)
    order = record_order(police, case, OrderData(
        kind=OrderKind.TEMPORARY, issued_at=issued,
        prohibitions={"prohibits_violence", "prohibits_contact"}), now=issued)
    _check(rng, police, order, issued + timedelta(hours=20), CheckOutcome.WANTS_EXTENSION,
           now=now)
    answer_extension(police, order, ExtensionAnswer.GRANTED,
                     now=issued + timedelta(hours=30))


def _breach(rng, staff, order: ProtectionOrder, now: datetime) -> None:
    """A breach found at a check, the police's response and the reassessment."""
    police = staff[AgencyType.POLICE]
    if order.status(now) != OrderStatus.ACTIVE:
        return
    stated = max(now - timedelta(hours=5), order.issued_at + timedelta(minutes=30))
    before = db.session.scalar(sa.select(sa.func.max(FollowUp.id))) or 0
    _check(rng, police, order, stated, CheckOutcome.BREACH, now=now)
    case = order.case
    # Only the two follow-ups the breach made: the rest of the demo stays as it was.
    opened = [f for f in db.session.scalars(sa.select(FollowUp).where(
        FollowUp.case_id == case.id, FollowUp.status == FollowUpStatus.OPEN,
        FollowUp.id > before).order_by(FollowUp.id))]
    for follow_up in opened:
        owner = next((u for u in staff.values() if u.agency_id == follow_up.owner_agency_id),
                     None)
        if owner is None:
            continue
        if follow_up.owner_agency_id == police.agency_id:
            close_follow_up(owner, follow_up, True, follow_up.version,
                            "Выезд, нарушитель доставлен в ОВД", now=now - timedelta(hours=3))
        elif policy.can(owner, policy.Action.ASSESS_RISK, case):
            yes = set(rng.sample(list(questions()), 12))
            assess(owner, case, yes, now=now - timedelta(hours=2))
            close_follow_up(owner, follow_up, True, follow_up.version,
                            "Оценка риска проведена повторно", now=now - timedelta(hours=2))


def _asks_extension(police: User, order: ProtectionOrder, now: datetime) -> None:
    if order.kind != OrderKind.TEMPORARY or order.extended_at is not None:
        return
    stated = max(now - timedelta(hours=2), order.issued_at + timedelta(minutes=30))
    record_check(police, order, CheckData(
        method=CheckMethod.CAME_IN, outcome=CheckOutcome.WANTS_EXTENSION, stated_at=stated,
        note="Просит продлить охранный ордер до 30 суток"), now=now - timedelta(hours=1))
