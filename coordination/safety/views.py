"""Writing and reviewing the safety plan."""
from __future__ import annotations

from flask import Blueprint
from flask_babel import gettext as _

from coordination import policy
from coordination.cases.steps import load_case, to_case
from coordination.decorators import section_required
from coordination.pipeline import step
from coordination.safety import services
from coordination.safety.section import plan_form

bp = Blueprint("safety", __name__)


@bp.route("/cases/<case:case_id>/safety-plan", methods=["POST"])
@section_required(policy.Section.CASES)
@step(load=load_case, action=policy.Action.EDIT_SAFETY_PLAN, back=to_case("safety-plan"),
      form=plan_form)
def save(user, case, form):
    services.save_plan(user, case, services.PlanData(
        safe_contacts=form.safe_contacts.data, safe_places=form.safe_places.data,
        signals=form.signals.data, documents_ready=form.documents_ready.data,
        children=form.children.data, review_on=form.review_on.data), form.version.data)
    return _("Safety plan saved.")
