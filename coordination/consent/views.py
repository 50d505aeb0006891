"""Recording and withdrawing consent on the case page."""
from __future__ import annotations

from flask import Blueprint, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coordination import policy
from coordination.agencies.models import AgencyType
from coordination.cases.services import get_case_or_404
from coordination.consent import services
from coordination.consent.models import ConsentScope
from coordination.decorators import section_required
from coordination.steps import run_step
from forms.consent import ConsentForm, WithdrawConsentForm

bp = Blueprint("consent", __name__)
cases_section = section_required(policy.Section.CASES)


@bp.route("/cases/<int:case_id>/consent", methods=["POST"])
@cases_section
def add(case_id: int):
    user = current_user._get_current_object()
    case = get_case_or_404(user, case_id, audit=False)
    form = ConsentForm()

    def step():
        scope = ConsentScope(form.scope.data)
        agency_type = AgencyType(form.agency_type.data) if form.agency_type.data else None
        services.record_consent(user, case, scope, agency_type)

    target = url_for("cases.show_case", case_id=case.id, _anchor="consent")
    return run_step(step, _("Consent recorded."), target, form)


@bp.route("/consent/<int:consent_id>/withdraw", methods=["POST"])
@cases_section
def withdraw(consent_id: int):
    user = current_user._get_current_object()
    consent = services.get_consent_or_404(user, consent_id)
    target = url_for("cases.show_case", case_id=consent.case_id, _anchor="consent")
    return run_step(lambda: services.withdraw_consent(user, consent),
                    _("Consent withdrawn."), target, WithdrawConsentForm())
