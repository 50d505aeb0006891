"""The risk assessment section of the case page."""
from __future__ import annotations

from sqlalchemy.orm import selectinload

from coordination import labels, policy
from coordination.cases.models import Case
from coordination.cases.page import CaseSection, form_wanted
from coordination.risk.models import RiskAssessment
from coordination.risk.services import questions
from forms.fields import choices
from forms.risk import RiskForm


def risk_form(user=None, case=None, display: bool = False) -> RiskForm:
    """The checklist from the configuration, with translated questions."""
    form = RiskForm(formdata=None) if display else RiskForm()
    form.yes.choices = choices((key, labels.label("risk_question", key)) for key in questions())
    return form


def risk_factors(assessment: RiskAssessment | None) -> list[str]:
    """The "yes" answers of ``assessment`` by their question's label, in the
    checklist's order (a question no longer asked comes last): what the
    committee discusses, not only the count."""
    if assessment is None:
        return []
    order = {key: i for i, key in enumerate(questions())}
    yes = sorted((key for key, answer in (assessment.answers or {}).items() if answer),
                 key=lambda key: (order.get(key, len(order)), key))
    return [labels.label("risk_question", key) for key in yes]


def _build(user, case, can):
    latest = case.risk_assessments[-1] if case.risk_assessments else None
    may_assess = can(policy.Action.ASSESS_RISK, case)
    # The checklist only when drawn (form_wanted).
    return {"may_open": {"assess-risk"} if may_assess else set(),
            "form": risk_form(display=True) if may_assess and form_wanted(
                "assess-risk", "risk.assess", case) else None,
            "factors": risk_factors(latest)}


section = CaseSection("risk", "risk/section.html", _build, options=(
    selectinload(Case.risk_assessments).joinedload(RiskAssessment.assessed_by),))
