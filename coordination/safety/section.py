"""The safety plan section of the case page: the lead and consented agencies only."""
from __future__ import annotations

from coordination import policy
from coordination.cases.page import CaseSection
from coordination.safety.models import PARTS
from coordination.safety.services import plan_of
from forms.safety import SafetyPlanForm


def plan_form(user=None, case=None, display: bool = False) -> SafetyPlanForm:
    if not display:
        return SafetyPlanForm()
    plan = plan_of(case) if case is not None else None
    return SafetyPlanForm(formdata=None, obj=plan)


def _build(user, case, can):
    if not can(policy.Action.VIEW_SAFETY_PLAN, case):
        return None
    plan = plan_of(case)
    form = plan_form(user, case, display=True) \
        if can(policy.Action.EDIT_SAFETY_PLAN, case) else None
    shown = form or SafetyPlanForm(formdata=None)
    return {"plan": plan, "form": form,
            "parts": [(part, shown[part].label.text) for part in PARTS]}


section = CaseSection("safety-plan", "safety/section.html", _build)
