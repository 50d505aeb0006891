"""The safety plan section of the case page: the lead and consented agencies only."""
from __future__ import annotations

from coordination import policy
from coordination.cases.page import CaseSection, form_wanted
from coordination.safety.models import PARTS
from coordination.safety.services import plan_of
from forms.safety import SafetyPlanForm


def plan_form(user=None, case=None) -> SafetyPlanForm:
    """The posted plan (the pipeline's form); the page draws its own, filled
    with the plan it read (:func:`_build`)."""
    return SafetyPlanForm()


def part_label(part: str) -> str:
    """The label of a part of the plan, as its form names it, without
    building the form (the plan is shown to more users than edit it)."""
    return getattr(SafetyPlanForm, part).args[0]


def _build(user, case, can):
    if not can(policy.Action.VIEW_SAFETY_PLAN, case):
        return None
    plan = plan_of(case)
    may_edit = can(policy.Action.EDIT_SAFETY_PLAN, case)
    # The form only when drawn (form_wanted), filled with the plan read here.
    form = SafetyPlanForm(formdata=None, obj=plan) if may_edit and form_wanted(
        "write-safety-plan", "safety.save", case) else None
    return {"plan": plan, "form": form, "may_open": {"write-safety-plan"} if may_edit else set(),
            "parts": [(part, part_label(part)) for part in PARTS]}


section = CaseSection("safety-plan", "safety/section.html", _build)
