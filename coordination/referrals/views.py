"""The referral inbox, sending a referral, and its steps."""
from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coordination import policy
from coordination.cases.services import get_case_or_404
from coordination.decorators import section_required
from coordination.models_base import utcnow
from coordination.protection.services import expiring_orders
from coordination.referrals import services
from coordination.referrals.models import LegalGround, Priority, ReferralService
from coordination.steps import run_step
from forms.fields import choices
from forms.referrals import ReferralStepForm, SendReferralForm

bp = Blueprint("referrals", __name__)
cases_section = section_required(policy.Section.CASES)


@bp.route("/referrals")
@cases_section
def inbox():
    user = current_user._get_current_object()
    now = utcnow()
    return render_template("referrals/inbox.html", inbox=services.inbox(user), now=now,
                           expiring=expiring_orders(user, now))


@bp.route("/cases/<int:case_id>/referrals", methods=["POST"])
@cases_section
def send(case_id: int):
    user = current_user._get_current_object()
    case = get_case_or_404(user, case_id, audit=False)
    form = SendReferralForm()
    form.to_agency.choices = choices(
        (a.id, a.name) for a in services.referral_targets(user, case))

    def step():
        services.send_referral(
            user, case, form.to_agency.data, ReferralService(form.service.data),
            Priority(form.priority.data),
            LegalGround(form.legal_ground.data) if form.legal_ground.data else None,
        )

    target = url_for("cases.show_case", case_id=case.id, _anchor="referrals")
    return run_step(step, _("Referral sent."), target, form)


@bp.route("/referrals/<int:referral_id>/step", methods=["POST"])
@cases_section
def take_step(referral_id: int):
    user = current_user._get_current_object()
    referral = services.get_referral_or_404(user, referral_id)
    form = ReferralStepForm()

    def step():
        services.move_referral(user, referral, form.step.data, form.version.data,
                               form.note.data)

    def target() -> str:
        # Declining ends the receiver's involvement: unless the agency has
        # another part in the case, its page would now answer 404.
        if policy.can(user, policy.Action.VIEW_CASE, referral.case):
            return url_for("cases.show_case", case_id=referral.case_id, _anchor="referrals")
        return url_for("referrals.inbox")

    return run_step(step, _("Referral updated."), target, form)
