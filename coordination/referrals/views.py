"""The referral inbox, sending a referral, and its steps."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from coordination import policy
from coordination.cases.steps import load_case, to_case, to_case_or
from coordination.decorators import section_required
from coordination.models_base import utcnow
from coordination.pipeline import Confirmation, acting_user, step
from coordination.protection.services import expiring_orders
from coordination.referrals import services
from coordination.referrals.models import LegalGround, Priority, ReferralService
from coordination.referrals.section import referral_steps, send_form, step_action
from coordination.replica.routing import reads_from_replica
from coordination.week import this_week
from coordination.worklists import acted_row, back_to_list
from forms.referrals import ReferralStepForm

bp = Blueprint("referrals", __name__)
cases_section = section_required(policy.Section.CASES)


@bp.route("/referrals")
@cases_section
@reads_from_replica
def inbox():
    user = acting_user()
    now = utcnow()
    week = this_week(now)
    filters = services.InboxFilters.from_args(request.args)
    page = services.inbox_page(user, filters, request.args.get("after"), now, week.ends_at)
    return render_template(
        "referrals/inbox.html", inbox=page, now=now, expiring=expiring_orders(user, now),
        steps={r.id: referral_steps(user, r) for r in page.page.rows},
        boxes=services.BOXES, acted=acted_row(request.args))


@bp.route("/cases/<case:case_id>/referrals", methods=["POST"])
@cases_section
@step(load=load_case, action=policy.Action.REFER, back=to_case("referrals"), form=send_form)
def send(user, case, form):
    services.send_referral(
        user, case, form.to_agency.data, ReferralService(form.service.data),
        Priority(form.priority.data) if form.priority.data else None,
        LegalGround(form.legal_ground.data) if form.legal_ground.data else None,
    )
    return _("Referral sent.")


def _referral_confirmation() -> Confirmation | None:
    """Declining, cancelling and revoking end the referral for both agencies."""
    if request.form.get("step") == "cancel":
        return Confirmation(
            _("Cancel the referral"),
            _("The receiving agency will no longer be asked to act; this cannot be undone."),
            _("Cancel the referral"), reason="note", reason_label=_("Reason"))
    if request.form.get("step") == "decline":
        return Confirmation(
            _("Decline the referral"),
            _("Your agency will not provide the service and will no longer see the case, "
              "unless it is involved otherwise; the sender is told. This cannot be undone."),
            _("Decline the referral"), reason="note", reason_label=_("Reason for declining"))
    if request.form.get("step") == "revoke":
        return Confirmation(
            _("Revoke the referral"),
            _("The receiving agency will stop its work on this referral; this cannot be undone."),
            _("Revoke the referral"), reason="note", reason_label=_("Reason"))
    return None


@bp.route("/referrals/<referral:referral_id>/step", methods=["POST"])
@cases_section
# Declining ends the receiver's involvement: unless the agency has another
# part in the case, its page would now answer 404, so it goes to the inbox.
# A step taken in a row of the inbox returns to the inbox as it was.
@step(load=services.get_referral_or_404, action=step_action,
      back=back_to_list({"referrals": ("referrals.inbox", services.InboxFilters.from_args)},
                        to_case_or("referrals", "referrals.inbox")),
      form=lambda user, obj: ReferralStepForm(),
      confirm=lambda user, referral: _referral_confirmation())
def take_step(user, referral, form):
    services.move_referral(user, referral, form.step.data, form.version.data, form.note.data)
    return _("Referral updated.")
