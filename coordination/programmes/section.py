"""The correctional programme section of the case page."""
from __future__ import annotations

from sqlalchemy.orm import selectinload

from coordination import policy
from coordination.cases.models import Case
from coordination.cases.page import CaseSection, form_wanted
from coordination.programmes.models import CorrectionalProgramme
from coordination.programmes.services import STEPS, providers
from forms.fields import choices
from forms.programmes import ProgrammeForm, ProgrammeStepForm


def refer_form(user, case: Case, display: bool = False) -> ProgrammeForm:
    form = ProgrammeForm(formdata=None) if display else ProgrammeForm()
    form.provider.choices = choices((a.id, a.name) for a in providers(case))
    return form


def programme_steps(user, programme: CorrectionalProgramme) -> list[str]:
    if not policy.can(user, policy.Action.UPDATE_PROGRAMME, programme, case_visible=True):
        return []
    return [step for step, (allowed_from, _to, _kind) in STEPS.items()
            if programme.status in allowed_from]


def _build(user, case, can):
    # The providers are among the serving agencies, read once per request.
    may_refer = can(policy.Action.REFER, case) and bool(providers(case))
    steps = {p.id: programme_steps(user, p) for p in case.programmes}
    return {
        "may_open": {"refer-to-programme"} if may_refer else set(),
        # Built only when drawn (form_wanted).
        "form": refer_form(user, case, display=True) if may_refer and form_wanted(
            "refer-to-programme", "programmes.refer", case) else None,
        "steps": steps,
        "step_form": ProgrammeStepForm(formdata=None) if any(steps.values()) else None,
    }


section = CaseSection("programme", "programmes/section.html", _build, options=(
    selectinload(Case.programmes).joinedload(CorrectionalProgramme.provider_agency),))
