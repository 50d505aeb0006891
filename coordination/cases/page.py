"""What the case page offers the user: the forms for the steps they may take."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import to_user_timezone

from coordination import labels, policy
from coordination.accounts.models import User
from coordination.agencies.models import Agency
from coordination.cases import services
from coordination.cases.models import Case
from coordination.followups.services import owner_candidates, owner_people
from coordination.models_base import utcnow
from coordination.programmes.services import STEPS as PROGRAMME_STEPS
from coordination.programmes.services import providers as programme_providers
from coordination.protection.models import OrderKind, OrderStatus
from coordination.referrals.services import TRANSITIONS, referral_targets
from coordination.risk.services import questions as risk_questions
from forms.cases import CaseStatusForm, NewIncidentForm, ReassignLeadForm
from forms.consent import ConsentForm, WithdrawConsentForm
from forms.fields import choices
from forms.followups import CloseFollowUpForm, FollowUpForm
from forms.programmes import ProgrammeForm, ProgrammeStepForm
from forms.protection import OrderForm, ViolationForm
from forms.referrals import ReferralStepForm, SendReferralForm
from forms.risk import RiskForm


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
    incident_form: NewIncidentForm | None = None
    risk_form: RiskForm | None = None
    order_form: OrderForm | None = None
    #: Order id -> "extend" and/or "revoke".
    order_steps: dict[int, list[str]] = field(default_factory=dict)
    violation_form: ViolationForm | None = None
    programme_form: ProgrammeForm | None = None
    #: Programme id -> the steps the provider may record now.
    programme_steps: dict[int, list[str]] = field(default_factory=dict)
    programme_step_form: ProgrammeStepForm | None = None


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
    _add_safety_forms(page, user, case, can)
    page.referral_steps = {r.id: _referral_steps(user, r) for r in case.referrals}
    page.follow_up_steps = {f.id: _follow_up_steps(user, f) for f in case.follow_ups}
    page.step_form = ReferralStepForm(formdata=None)
    page.close_form = CloseFollowUpForm(formdata=None)
    return page


def _add_safety_forms(page: CasePage, user: User, case: Case, can) -> None:
    """Incidents, risk, protection orders and the correctional programme."""
    now = utcnow()
    if can(user, policy.Action.RECORD_INCIDENT, case):
        page.incident_form = NewIncidentForm(formdata=None)
    if can(user, policy.Action.ASSESS_RISK, case):
        page.risk_form = RiskForm(formdata=None)
        set_question_choices(page.risk_form)
    kinds = [kind for kind, action in ((OrderKind.TEMPORARY, policy.Action.ISSUE_TEMPORARY_ORDER),
                                       (OrderKind.COURT, policy.Action.RECORD_COURT_ORDER))
             if can(user, action, case)]
    if kinds:
        page.order_form = OrderForm(formdata=None, issued_at=to_user_timezone(now).replace(
            second=0, microsecond=0, tzinfo=None))
        page.order_form.kind.choices = choices((k.value, k.label) for k in kinds)
    for order in case.protection_orders:
        active = order.status(now) == OrderStatus.ACTIVE
        steps = []
        if active and can(user, policy.Action.CHANGE_ORDER, order):
            if order.kind == OrderKind.TEMPORARY and order.extended_at is None:
                steps.append("extend")
            steps.append("revoke")
        page.order_steps[order.id] = steps
    if any(o.status(now) == OrderStatus.ACTIVE for o in case.protection_orders):
        page.violation_form = ViolationForm(formdata=None)
    providers = programme_providers(case) if can(user, policy.Action.REFER, case) else []
    if providers:
        page.programme_form = ProgrammeForm(formdata=None)
        page.programme_form.provider.choices = choices((a.id, a.name) for a in providers)
    for programme in case.programmes:
        page.programme_steps[programme.id] = [
            step for step, (allowed_from, _to, _kind) in PROGRAMME_STEPS.items()
            if programme.status in allowed_from
            and can(user, policy.Action.UPDATE_PROGRAMME, programme)
        ]
    page.programme_step_form = ProgrammeStepForm(formdata=None)


def set_question_choices(form: RiskForm) -> None:
    """The risk checklist from the configuration, with translated questions."""
    form.yes.choices = choices((key, labels.label("risk_question", key))
                               for key in risk_questions())


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
