"""The checks section of the case page: each order's schedule, its chain of
check records, the forms to record a check and answer an extension request."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import format_datetime, to_user_timezone
from sqlalchemy.orm import joinedload

from coordination import policy
from coordination.cases.models import Case
from coordination.cases.page import CaseSection
from coordination.extensions import db
from coordination.models_base import utcnow
from coordination.order_checks.models import ExtensionRequest, OrderCheck
from coordination.order_checks.response import suggests_court
from coordination.order_checks.schedule import scheduled
from coordination.protection.models import ProtectionOrder
from forms.fields import choices
from forms.order_checks import CheckForm, ExtensionAnswerForm


def check_form(user, order: ProtectionOrder, display: bool = False,
               checks: list[OrderCheck] | None = None) -> CheckForm:
    """The form, with this order's own records as what a correction may name."""
    form = CheckForm(formdata=None) if display else CheckForm()
    if display:
        form.stated_at.data = to_user_timezone(utcnow()).replace(
            second=0, microsecond=0, tzinfo=None)
    if checks is None:
        checks = list(db.session.scalars(sa.select(OrderCheck).where(
            OrderCheck.order_id == order.id).order_by(OrderCheck.sequence)))
    form.corrects.choices = choices(
        [("", "—"), *((c.id, f"{c.sequence}. {format_datetime(c.stated_at, 'short')}")
                      for c in checks if c.corrects_id is None)])
    return form


def _build(user, case: Case, can):
    # The checks of an order are other agencies' work: not a former party's reading.
    if not case.protection_orders or not can(policy.Action.READ_WHOLE_CASE, case):
        return None
    now = utcnow()
    order_ids = [o.id for o in case.protection_orders]
    checks: dict[int, list[OrderCheck]] = {i: [] for i in order_ids}
    for check in db.session.scalars(
            sa.select(OrderCheck).where(OrderCheck.order_id.in_(order_ids))
            .options(joinedload(OrderCheck.checked_by)).order_by(OrderCheck.sequence)):
        checks[check.order_id].append(check)
    requests = {r.order_id: r for r in db.session.scalars(sa.select(ExtensionRequest).where(
        ExtensionRequest.order_id.in_(order_ids)).order_by(ExtensionRequest.id))}
    schedules = {s.order.id: s for s in scheduled([ProtectionOrder.case_id == case.id], now)}
    orders = sorted(case.protection_orders, key=lambda o: o.issued_at, reverse=True)
    return {
        "orders": orders,
        "checks": checks,
        "corrected": {c.corrects_id for cs in checks.values() for c in cs if c.corrects_id},
        "schedules": schedules,
        "requests": requests,
        "forms": {o.id: check_form(user, o, display=True, checks=checks[o.id])
                  for o in orders if o.id in schedules
                  and can(policy.Action.RECORD_ORDER_CHECK, o)},
        "answer_forms": {o.id: ExtensionAnswerForm(formdata=None) for o in orders
                         if o.id in requests and requests[o.id].answer is None
                         and o.id in schedules and can(policy.Action.CHANGE_ORDER, o)},
        "suggest_court": suggests_court(case),
        "now": now,
    }


section = CaseSection("order-checks", "order_checks/section.html", _build)
