"""Recording a risk assessment from the case page."""
from __future__ import annotations

from flask import Blueprint
from flask_babel import gettext as _

from coordination import policy
from coordination.cases.models import RiskLevel
from coordination.cases.steps import load_case, to_case
from coordination.decorators import section_required
from coordination.pipeline import step
from coordination.risk import services
from coordination.risk.section import risk_form

bp = Blueprint("risk", __name__)


@bp.route("/cases/<case:case_id>/risk", methods=["POST"])
@section_required(policy.Section.CASES)
@step(load=load_case, action=policy.Action.ASSESS_RISK, back=to_case("risk"), form=risk_form)
def assess(user, case, form):
    raised = RiskLevel(form.raised_to.data) if form.raised_to.data else None
    services.assess(user, case, set(form.yes.data or ()), raised, form.reason.data)
    return _("Risk assessment recorded.")
