"""The referrals section of the case page."""
from __future__ import annotations

from flask import request
from sqlalchemy.orm import selectinload

from coordination import policy
from coordination.cases.models import Case
from coordination.cases.page import CaseSection
from coordination.consent.models import SHAREABLE_TYPES, ConsentScope
from coordination.consent.services import consents_in_force
from coordination.models_base import utcnow
from coordination.referrals.models import FINAL_STATUSES, Referral
from coordination.referrals.services import TRANSITIONS, referral_targets
from forms.fields import choose_then
from forms.referrals import SendReferralForm


def send_form(user, case: Case, display: bool = False, targets=None) -> SendReferralForm:
    """Receivers from the policy: agencies serving the case's place."""
    form = SendReferralForm(formdata=None) if display else SendReferralForm()
    if targets is None:
        targets = referral_targets(user, case)
    form.to_agency.choices = choose_then((a.id, a.name) for a in targets)
    return form


def referral_steps(user, referral: Referral) -> list[str]:
    """The steps ``user`` may take on ``referral`` now."""
    return [
        name for name, transition in TRANSITIONS.items()
        if referral.status in transition.allowed_from
        and policy.can(user, transition.action, referral, case_visible=True)
    ]


def step_action(referral: Referral) -> policy.Action:
    """The action of the button pressed (``step``); any step of the
    referral's for a missing or unknown one, which the form then refuses."""
    transition = TRANSITIONS.get(request.form.get("step", ""))
    return transition.action if transition else policy.Action.ACT_ON_REFERRAL


def _build(user, case, can):
    # The receivers, also listed with what each offers (the referral directory).
    targets = referral_targets(user, case) if can(policy.Action.REFER, case) else []
    covered = {c.agency_type for c in consents_in_force(case)
               if c.scope == ConsentScope.SHARING}
    return {
        "covered": [t for t in SHAREABLE_TYPES if t in covered],
        "form": send_form(user, case, display=True, targets=targets) if targets else None,
        "receivers": targets,
        "steps": {r.id: referral_steps(user, r) for r in case.referrals},
        "now": utcnow(),
        # For the case summary: referrals not yet finished (sent, accepted,
        # in progress).
        "open_count": sum(1 for r in case.referrals if r.status not in FINAL_STATUSES),
    }


section = CaseSection("referrals", "referrals/section.html", _build, options=(
    selectinload(Case.referrals).joinedload(Referral.to_agency),
    selectinload(Case.referrals).joinedload(Referral.from_agency)))
