"""Correctional programmes from the case page."""
from __future__ import annotations

from flask import Blueprint
from flask_babel import gettext as _

from coordination import policy
from coordination.cases.steps import load_case, to_case
from coordination.decorators import section_required
from coordination.pipeline import step
from coordination.programmes import services
from coordination.programmes.section import refer_form
from forms.programmes import ProgrammeStepForm
from forms.referrals import legal_ground_value

bp = Blueprint("programmes", __name__)
cases_section = section_required(policy.Section.CASES)


@bp.route("/cases/<case:case_id>/programmes", methods=["POST"])
@cases_section
@step(load=load_case, action=policy.Action.REFER, back=to_case("programme"), form=refer_form)
def refer(user, case, form):
    services.refer(user, case, form.provider.data,
                   legal_ground=legal_ground_value(form.legal_ground))
    return _("Referred to the correctional programme.")


@bp.route("/programmes/<programme:programme_id>/step", methods=["POST"])
@cases_section
@step(load=services.get_programme_or_404, action=policy.Action.UPDATE_PROGRAMME,
      back=to_case("programme"), form=lambda user, obj: ProgrammeStepForm())
def move(user, programme, form):
    services.move(user, programme, form.step.data, form.on.data, form.version.data)
    return _("Programme updated.")
