"""The protection orders section of the case page."""
from __future__ import annotations

from flask import current_app
from flask_babel import to_user_timezone
from sqlalchemy.orm import selectinload

from coordination import policy
from coordination.cases.models import Case
from coordination.cases.page import CaseSection, form_wanted
from coordination.models_base import utcnow
from coordination.protection.models import OrderKind, OrderStatus, ProtectionOrder
from forms.fields import choices
from forms.protection import OrderForm, ViolationForm

#: The action that lets a user record each kind of order.
KIND_ACTIONS = ((OrderKind.TEMPORARY, policy.Action.ISSUE_TEMPORARY_ORDER),
                (OrderKind.COURT, policy.Action.RECORD_COURT_ORDER))


def order_form(user, case: Case, display: bool = False) -> OrderForm:
    """The kinds of order the policy lets ``user`` record on ``case``."""
    if display:
        now = to_user_timezone(utcnow()).replace(second=0, microsecond=0, tzinfo=None)
        form = OrderForm(formdata=None, issued_at=now)
    else:
        form = OrderForm()
    kinds = [kind for kind, action in KIND_ACTIONS
             if policy.can(user, action, case, case_visible=True)]
    form.kind.choices = choices((k.value, k.label) for k in kinds)
    return form


def order_steps(user, order: ProtectionOrder, now) -> list[str]:
    """"extend" and/or "revoke", where the user may take them now."""
    if order.status(now) != OrderStatus.ACTIVE or not policy.can(
            user, policy.Action.CHANGE_ORDER, order, case_visible=True):
        return []
    steps = []
    if order.kind == OrderKind.TEMPORARY and order.extended_at is None:
        steps.append("extend")
    steps.append("revoke")
    return steps


def _build(user, case, can):
    now = utcnow()
    recordable = any(can(action, case) for _kind, action in KIND_ACTIONS)
    active = any(o.status(now) == OrderStatus.ACTIVE for o in case.protection_orders)
    return {
        "may_open": {"record-order"} if recordable else set(),
        # Built only when drawn (form_wanted).
        "form": order_form(user, case, display=True) if recordable and form_wanted(
            "record-order", "protection.record", case) else None,
        "steps": {order.id: order_steps(user, order, now) for order in case.protection_orders},
        "violation_form": ViolationForm(formdata=None) if active else None,
        "warning_hours": current_app.config["ORDER_WARNING_HOURS"],
        "now": now,
        # For the case summary: the orders in force, the soonest to end first.
        "in_force": sorted((o for o in case.protection_orders
                            if o.status(now) == OrderStatus.ACTIVE),
                           key=lambda o: o.valid_until),
    }


section = CaseSection("orders", "protection/section.html", _build, options=(
    selectinload(Case.protection_orders).joinedload(ProtectionOrder.issuing_agency),
    selectinload(Case.protection_orders).selectinload(ProtectionOrder.violations)))
