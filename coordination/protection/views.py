"""Protection orders from the case page: record, extend or revoke, violations."""
from __future__ import annotations

from flask import Blueprint, request
from flask_babel import gettext as _
from flask_babel import to_utc

from coordination import policy
from coordination.cases.steps import load_case, to_case
from coordination.decorators import section_required
from coordination.order_checks.response import start_breach_response
from coordination.pipeline import Confirmation, step
from coordination.protection import services
from coordination.protection.models import OrderKind
from coordination.protection.section import order_form
from coordination.refusals import NotFound
from coordination.settings.services import get_setting
from coordination.worklists import back_to_list
from forms.protection import OrderStepForm, ViolationForm

bp = Blueprint("protection", __name__)
cases_section = section_required(policy.Section.CASES)


@bp.route("/cases/<case:case_id>/orders", methods=["POST"])
@cases_section
@step(load=load_case, action=policy.Action.RECORD_ORDER, back=to_case("orders"),
      form=order_form)
def record(user, case, form):
    services.record_order(user, case, services.OrderData(
        kind=OrderKind(form.kind.data), issued_at=to_utc(form.issued_at.data),
        months=form.months.data, prohibitions=set(form.prohibitions.data or ()),
        electronic_monitoring=form.electronic_monitoring.data))
    return _("Protection order recorded.")


def _order_confirmation(order) -> Confirmation | None:
    """Both steps of an order are irreversible: say which before it is taken."""
    if request.form.get("step") == "extend":
        return Confirmation(
            _("Extend the protection order"),
            _("The temporary order will be extended to %(days)s days from its issue; "
              "an order can be extended only once.",
              days=get_setting("extended_temporary_order_days")),
            _("Extend the order"))
    if request.form.get("step") == "revoke":
        return Confirmation(
            _("Revoke the protection order"),
            _("The order will stop protecting the survivor now; this cannot be undone."),
            _("Revoke the order"), reason="reason", reason_label=_("Reason"))
    return None


@bp.route("/orders/<order:order_id>/step", methods=["POST"])
@cases_section
# Extending may be taken in the home page's panel of expiring orders too.
@step(load=services.get_order_or_404, action=policy.Action.CHANGE_ORDER,
      back=back_to_list({}, to_case("orders")), form=lambda user, obj: OrderStepForm(),
      confirm=lambda user, order: _order_confirmation(order))
def change(user, order, form):
    if form.step.data == "revoke":
        services.revoke_order(user, order, form.version.data, form.reason.data)
    elif form.step.data == "extend":
        services.extend_order(user, order, form.version.data)
    else:
        raise NotFound()  # no such step: like a URL that names none
    return _("Protection order updated.")


@bp.route("/orders/<order:order_id>/violations", methods=["POST"])
@cases_section
@step(load=services.get_order_or_404, action=policy.Action.RECORD_VIOLATION,
      back=to_case("orders"), form=lambda user, order: ViolationForm())
def violation(user, order, form):
    violation = services.record_violation(user, order, to_utc(form.occurred_at.data))
    # Issue 19: a breach makes a new risk assessment due within a day.
    start_breach_response(user, order, violation, violation.recorded_at)
    return _("Violation recorded; the police have an urgent follow-up.")
