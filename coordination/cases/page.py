"""What the case page offers the user: the forms for the steps they may take."""
from __future__ import annotations

from dataclasses import dataclass, field

from coordination import policy
from coordination.accounts.models import User
from coordination.agencies.models import Agency
from coordination.cases import services
from coordination.cases.models import Case
from coordination.followups.services import owner_candidates, owner_people
from coordination.referrals.services import TRANSITIONS, referral_targets
from forms.cases import CaseStatusForm, ReassignLeadForm
from forms.consent import ConsentForm, WithdrawConsentForm
from forms.fields import choices
from forms.followups import CloseFollowUpForm, FollowUpForm
from forms.referrals import ReferralStepForm, SendReferralForm


@dataclass
class CasePage:
    case: Case
    show_restricted: bool
    #: Forms for the steps this user may take; None where they may not.
    status_form: CaseStatusForm | None = None
    lead_form: ReassignLeadForm | None = None
    consent_form: ConsentForm | None = None
    withdraw_form: WithdrawConsentForm | None = None
    referral_form: SendReferralForm | None = None
    follow_up_form: FollowUpForm | None = None
    #: Referral id -> the steps the user may take on it now.
    referral_steps: dict[int, list[str]] = field(default_factory=dict)
    #: Follow-up id -> "done" and/or "cancel".
    follow_up_steps: dict[int, list[str]] = field(default_factory=dict)
    step_form: ReferralStepForm | None = None
    close_form: CloseFollowUpForm | None = None


def build_case_page(user: User, case: Case) -> CasePage:
    """The case with the forms ``user`` may use on it, choices from the policy."""
    def can(user, action, obj) -> bool:  # the case was loaded through the policy
        return policy.can(user, action, obj, case_visible=True)

    page = CasePage(case, show_restricted=can(user, policy.Action.VIEW_RESTRICTED, case))
    if can(user, policy.Action.EDIT_CASE, case) or can(user, policy.Action.CLOSE_CASE, case):
        page.status_form = CaseStatusForm(formdata=None, version=case.version)
    if can(user, policy.Action.REASSIGN_LEAD, case):
        page.lead_form = ReassignLeadForm(formdata=None, version=case.version)
        page.lead_form.lead_agency.choices = choices(
            (a.id, a.name) for a in services.lead_candidates(case) if a.id != case.lead_agency_id)
    if can(user, policy.Action.EDIT_CASE, case):
        page.consent_form = ConsentForm(formdata=None)
        page.withdraw_form = WithdrawConsentForm(formdata=None)
    if can(user, policy.Action.REFER, case):
        page.referral_form = SendReferralForm(formdata=None)
        page.referral_form.to_agency.choices = choices(
            (a.id, a.name) for a in referral_targets(user, case))
    if can(user, policy.Action.ADD_FOLLOW_UP, case):
        page.follow_up_form = FollowUpForm(formdata=None)
        set_owner_choices(page.follow_up_form, owner_candidates(case))
    page.referral_steps = {r.id: _referral_steps(user, r) for r in case.referrals}
    page.follow_up_steps = {f.id: _follow_up_steps(user, f) for f in case.follow_ups}
    page.step_form = ReferralStepForm(formdata=None)
    page.close_form = CloseFollowUpForm(formdata=None)
    return page


def set_owner_choices(form: FollowUpForm, agencies: list[Agency]) -> None:
    """Owners from the policy (agencies serving the case's place), and their staff."""
    form.owner_agency.choices = choices((a.id, a.name) for a in agencies)
    form.owner_user.choices = choices(
        [("", "—"), *((u.id, f"{u.full_name} ({u.agency.name})")
                      for u in owner_people([a.id for a in agencies]))])


def _referral_steps(user, referral) -> list[str]:
    return [
        name for name, transition in TRANSITIONS.items()
        if referral.status in transition.allowed_from
        and policy.can(user, transition.action, referral, case_visible=True)
    ]


def _follow_up_steps(user, follow_up) -> list[str]:
    steps = []
    if policy.can(user, policy.Action.COMPLETE_FOLLOW_UP, follow_up, case_visible=True):
        steps.append("done")
    if policy.can(user, policy.Action.CANCEL_FOLLOW_UP, follow_up, case_visible=True):
        steps.append("cancel")
    return steps
