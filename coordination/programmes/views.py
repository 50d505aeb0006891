"""Correctional programmes from the case page."""
from __future__ import annotations

from flask import Blueprint, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coordination import policy
from coordination.cases.services import get_case_or_404
from coordination.decorators import section_required
from coordination.programmes import services
from coordination.steps import run_step
from forms.fields import choices
from forms.programmes import ProgrammeForm, ProgrammeStepForm
from forms.referrals import legal_ground_value

bp = Blueprint("programmes", __name__)
cases_section = section_required(policy.Section.CASES)


@bp.route("/cases/<int:case_id>/programmes", methods=["POST"])
@cases_section
def refer(case_id: int):
    user = current_user._get_current_object()
    case = get_case_or_404(user, case_id, audit=False)
    form = ProgrammeForm()
    form.provider.choices = choices((a.id, a.name) for a in services.providers(case))
    target = url_for("cases.show_case", case_id=case.id, _anchor="programme")
    return run_step(lambda: services.refer(user, case, form.provider.data,
                                           legal_ground=legal_ground_value(form.legal_ground)),
                    _("Referred to the correctional programme."), target, form)


@bp.route("/programmes/<int:programme_id>/step", methods=["POST"])
@cases_section
def move(programme_id: int):
    user = current_user._get_current_object()
    programme = services.get_programme_or_404(user, programme_id)
    form = ProgrammeStepForm()
    target = url_for("cases.show_case", case_id=programme.case_id, _anchor="programme")
    return run_step(
        lambda: services.move(user, programme, form.step.data, form.on.data, form.version.data),
        _("Programme updated."), target, form)
