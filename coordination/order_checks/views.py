"""Recording a check of an order (or a correcting entry) and answering the
survivor's extension request, from the case page."""
from __future__ import annotations

from flask import Blueprint
from flask_babel import gettext as _
from flask_babel import to_utc

from coordination import policy
from coordination.cases.steps import to_case
from coordination.decorators import section_required
from coordination.order_checks import services
from coordination.order_checks.models import CheckMethod, CheckOutcome, ExtensionAnswer
from coordination.order_checks.section import check_form
from coordination.pipeline import step
from coordination.protection.services import get_order_or_404
from forms.fields import optional_int
from forms.order_checks import ExtensionAnswerForm

bp = Blueprint("order_checks", __name__)
cases_section = section_required(policy.Section.CASES)


@bp.route("/orders/<order:order_id>/checks", methods=["POST"])
@cases_section
@step(load=get_order_or_404, action=policy.Action.RECORD_ORDER_CHECK,
      back=to_case("order-checks"), form=lambda user, order: check_form(user, order))
def record(user, order, form):
    check = services.record_check(user, order, services.CheckData(
        method=CheckMethod(form.method.data), outcome=CheckOutcome(form.outcome.data),
        stated_at=to_utc(form.stated_at.data).replace(tzinfo=None), note=form.note.data or "",
        corrects_id=optional_int(form.corrects.data)))
    if check.corrects_id is not None:
        return _("Correction recorded; the original record is kept.")
    if check.outcome == CheckOutcome.BREACH:
        return _("Breach recorded: the police have an urgent follow-up and the risk "
                 "must be assessed again within a day.")
    return _("Check recorded.")


@bp.route("/orders/<order:order_id>/extension", methods=["POST"])
@cases_section
@step(load=get_order_or_404, action=policy.Action.CHANGE_ORDER,
      back=to_case("order-checks"), form=lambda user, order: ExtensionAnswerForm())
def answer_extension(user, order, form):
    answer = ExtensionAnswer(form.answer.data)
    services.answer_extension(user, order, answer)
    if answer == ExtensionAnswer.GRANTED:
        return _("Protection order extended at the survivor's request.")
    return _("Extension request refused.")
