"""The agency's follow-ups, adding one to a case, closing one."""
from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from coordination import policy
from coordination.cases.page import set_owner_choices
from coordination.cases.services import get_case_or_404
from coordination.decorators import section_required
from coordination.followups import services
from coordination.models_base import utcnow
from coordination.steps import run_step
from coordination.web import current_page
from forms.followups import CloseFollowUpForm, FollowUpForm
from forms.referrals import legal_ground_value

bp = Blueprint("followups", __name__)
cases_section = section_required(policy.Section.CASES)


@bp.route("/followups")
@cases_section
def agency_list():
    user = current_user._get_current_object()
    page = current_page()
    return render_template("followups/list.html",
                           pagination=services.agency_follow_ups(user, page=page),
                           today=utcnow().date())


@bp.route("/cases/<int:case_id>/followups", methods=["POST"])
@cases_section
def add(case_id: int):
    user = current_user._get_current_object()
    case = get_case_or_404(user, case_id, audit=False)
    form = FollowUpForm()
    set_owner_choices(form, services.owner_candidates(case))

    def step():
        services.add_follow_up(user, case, services.FollowUpData(
            action=form.action.data, owner_agency_id=form.owner_agency.data,
            owner_user_id=form.owner_user.data, due_on=form.due_on.data,
            legal_ground=legal_ground_value(form.legal_ground)))

    target = url_for("cases.show_case", case_id=case.id, _anchor="follow-ups")
    return run_step(step, _("Follow-up added."), target, form)


@bp.route("/followups/<int:follow_up_id>/close", methods=["POST"])
@cases_section
def close(follow_up_id: int):
    user = current_user._get_current_object()
    follow_up = services.get_follow_up_or_404(user, follow_up_id)
    form = CloseFollowUpForm()

    def step():
        services.close_follow_up(user, follow_up, form.outcome.data == "done",
                                 form.version.data, form.note.data)

    target = url_for("cases.show_case", case_id=follow_up.case_id, _anchor="follow-ups")
    return run_step(step, _("Follow-up closed."), target, form)
