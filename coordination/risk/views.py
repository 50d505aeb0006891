"""Recording a risk assessment from the case page."""
from __future__ import annotations

from flask import Blueprint, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coordination import policy
from coordination.cases.models import RiskLevel
from coordination.cases.page import set_question_choices
from coordination.cases.services import get_case_or_404
from coordination.decorators import section_required
from coordination.risk import services
from coordination.steps import run_step
from forms.risk import RiskForm

bp = Blueprint("risk", __name__)


@bp.route("/cases/<int:case_id>/risk", methods=["POST"])
@section_required(policy.Section.CASES)
def assess(case_id: int):
    user = current_user._get_current_object()
    case = get_case_or_404(user, case_id, audit=False)
    form = RiskForm()
    set_question_choices(form)

    def step():
        raised = RiskLevel(form.raised_to.data) if form.raised_to.data else None
        services.assess(user, case, set(form.yes.data or ()), raised, form.reason.data)

    target = url_for("cases.show_case", case_id=case.id, _anchor="risk")
    return run_step(step, _("Risk assessment recorded."), target, form)
