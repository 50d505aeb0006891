"""Recording and withdrawing consent on the case page."""
from __future__ import annotations

from flask import Blueprint
from flask_babel import gettext as _

from coordination import policy
from coordination.agencies.models import AgencyType
from coordination.cases.steps import load_case, to_case
from coordination.consent import services
from coordination.consent.models import ConsentScope
from coordination.decorators import section_required
from coordination.pipeline import Confirmation, step
from coordination.refusals import RuleBroken
from forms.consent import ConsentForm, WithdrawConsentForm

bp = Blueprint("consent", __name__)
cases_section = section_required(policy.Section.CASES)


@bp.route("/cases/<case:case_id>/consent", methods=["POST"])
@cases_section
@step(load=load_case, action=policy.Action.EDIT_CASE, back=to_case("consent"),
      form=lambda user, case: ConsentForm())
def add(user, case, form):
    types = [AgencyType(value) for value in form.agency_types.data or ()]
    statistics = bool(form.statistics.data)
    if form.scope.data == ConsentScope.SHARING.value and form.agency_type.data:
        types.append(AgencyType(form.agency_type.data))
    elif form.scope.data == ConsentScope.SHARING.value:
        raise RuleBroken(_("Choose the type of agency the consent covers."))
    statistics = statistics or form.scope.data == ConsentScope.STATISTICS.value
    services.record_consents(user, case, types, statistics)
    return _("Consent recorded.")


@bp.route("/consent/<consent:consent_id>/withdraw", methods=["POST"])
@cases_section
@step(load=services.get_consent_or_404, action=policy.Action.WITHDRAW_CONSENT,
      back=to_case("consent"), form=lambda user, consent: WithdrawConsentForm(),
      confirm=lambda user, consent: Confirmation(
          _("Withdraw consent"),
          _("The survivor's consent will end now. Agencies it covered will no longer see "
            "the contact details; this cannot be undone (a new consent can be recorded)."),
          _("Withdraw consent")))
def withdraw(user, consent, form):
    services.withdraw_consent(user, consent)
    return _("Consent withdrawn.")
