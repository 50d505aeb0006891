"""The referrals section of the case page."""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from coordination import policy
from coordination.cases.models import Case
from coordination.cases.page import CaseSection, form_wanted
from coordination.consent.services import consent_cover
from coordination.models_base import utcnow
from coordination.referrals.models import FINAL_STATUSES, Referral, ReferralService
from coordination.referrals.services import (
    TRANSITIONS,
    answer_hours,
    derived_priority,
    referral_targets,
)
from forms.fields import choose_then
from forms.referrals import SendReferralForm


def send_form(user, case: Case, display: bool = False, targets=None) -> SendReferralForm:
    """Receivers from the policy: agencies serving the case's place."""
    form = SendReferralForm(formdata=None) if display else SendReferralForm()
    if targets is None:
        targets = referral_targets(user, case)
    form.to_agency.choices = choose_then((a.id, a.name) for a in targets)
    if display:
        form.service.choices = choose_then(service_choices(case))
    return form


def service_choices(case: Case) -> list[tuple[str, str]]:
    """Each service with the priority its referral is saved with when none is
    chosen, computed as ``send_referral`` computes it (``derived_priority``
    on the case's risk), and the hours the receiver has to answer."""
    hours = {}
    pairs = []
    for service in ReferralService:
        priority = derived_priority(service, case.risk_level)
        if priority not in hours:
            hours[priority] = answer_hours(priority)
        pairs.append((service.value, _(
            "%(service)s — %(priority)s, answer within %(hours)s h",
            service=service.label, priority=priority.label, hours=hours[priority])))
    return pairs


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
    # The form (its choices, what the consent covers) only when drawn.
    wanted = bool(targets) and form_wanted("send-referral", "referrals.send", case)
    return {
        "may_open": {"send-referral"} if targets else set(),
        "cover": consent_cover(case) if wanted else None,
        "form": send_form(user, case, display=True, targets=targets) if wanted else None,
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
