"""Protection orders from the case page: record, extend or revoke, violations."""
from __future__ import annotations

from flask import Blueprint, url_for
from flask_babel import gettext as _
from flask_babel import to_utc
from flask_login import current_user

from coordination import policy
from coordination.cases.services import get_case_or_404
from coordination.decorators import section_required
from coordination.protection import services
from coordination.protection.models import OrderKind
from coordination.steps import run_step
from coordination.workflow import WorkflowError
from forms.protection import OrderForm, OrderStepForm, ViolationForm

bp = Blueprint("protection", __name__)
cases_section = section_required(policy.Section.CASES)


def _case_anchor(case_id: int) -> str:
    return url_for("cases.show_case", case_id=case_id, _anchor="orders")


@bp.route("/cases/<int:case_id>/orders", methods=["POST"])
@cases_section
def record(case_id: int):
    user = current_user._get_current_object()
    case = get_case_or_404(user, case_id, audit=False)
    form = OrderForm()

    def step():
        services.record_order(user, case, services.OrderData(
            kind=OrderKind(form.kind.data), issued_at=to_utc(form.issued_at.data),
            months=form.months.data, prohibitions=set(form.prohibitions.data or ()),
            electronic_monitoring=form.electronic_monitoring.data))

    return run_step(step, _("Protection order recorded."), _case_anchor(case.id), form)


@bp.route("/orders/<int:order_id>/step", methods=["POST"])
@cases_section
def change(order_id: int):
    user = current_user._get_current_object()
    order = services.get_order_or_404(user, order_id)
    form = OrderStepForm()

    def step():
        actions = {"extend": services.extend_order, "revoke": services.revoke_order}
        if form.step.data not in actions:
            raise WorkflowError(_("Unknown step."))
        actions[form.step.data](user, order, form.version.data)

    return run_step(step, _("Protection order updated."), _case_anchor(order.case_id), form)


@bp.route("/orders/<int:order_id>/violations", methods=["POST"])
@cases_section
def violation(order_id: int):
    user = current_user._get_current_object()
    order = services.get_order_or_404(user, order_id)
    form = ViolationForm()
    return run_step(
        lambda: services.record_violation(user, order, to_utc(form.occurred_at.data)),
        _("Violation recorded; the police have an urgent follow-up."),
        _case_anchor(order.case_id), form)
