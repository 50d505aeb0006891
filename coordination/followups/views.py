"""The agency's follow-ups, adding one to a case, closing one."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext as _

from coordination import policy
from coordination.cases.steps import load_case, to_case
from coordination.decorators import section_required
from coordination.followups import services
from coordination.followups.section import add_form, close_action
from coordination.models_base import utcnow
from coordination.pipeline import acting_user, current_page, step
from forms.followups import CloseFollowUpForm
from forms.referrals import legal_ground_value

bp = Blueprint("followups", __name__)
cases_section = section_required(policy.Section.CASES)


@bp.route("/followups")
@cases_section
def agency_list():
    return render_template("followups/list.html",
                           pagination=services.agency_follow_ups(acting_user(),
                                                                 page=current_page()),
                           today=utcnow().date())


@bp.route("/cases/<case:case_id>/followups", methods=["POST"])
@cases_section
@step(load=load_case, action=policy.Action.ADD_FOLLOW_UP, back=to_case("follow-ups"),
      form=add_form)
def add(user, case, form):
    services.add_follow_up(user, case, services.FollowUpData(
        action=form.action.data, owner_agency_id=form.owner_agency.data,
        owner_user_id=form.owner_user.data, due_on=form.due_on.data,
        legal_ground=legal_ground_value(form.legal_ground)))
    return _("Follow-up added.")


@bp.route("/followups/<follow_up:follow_up_id>/close", methods=["POST"])
@cases_section
@step(load=services.get_follow_up_or_404, action=close_action,
      back=to_case("follow-ups"), form=lambda user, obj: CloseFollowUpForm())
def close(user, follow_up, form):
    services.close_follow_up(user, follow_up, form.outcome.data == "done",
                             form.version.data, form.note.data)
    return _("Follow-up closed.")
