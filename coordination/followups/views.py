"""The agency's follow-ups, adding one to a case, closing one."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _

from coordination import policy
from coordination.cases.steps import load_case, to_case
from coordination.decorators import section_required
from coordination.followups import services
from coordination.followups.section import add_form, close_action, follow_up_steps, undoable
from coordination.models_base import utcnow
from coordination.pipeline import Confirmation, acting_user, step
from coordination.replica.routing import reads_from_replica
from coordination.week import this_week
from coordination.worklists import acted_row, back_to_list
from forms.followups import CloseFollowUpForm, UndoDoneForm
from forms.referrals import legal_ground_value

bp = Blueprint("followups", __name__)
cases_section = section_required(policy.Section.CASES)


@bp.route("/followups")
@cases_section
@reads_from_replica
def agency_list():
    user = acting_user()
    week = this_week(utcnow())
    filters = services.FollowUpFilters.from_args(request.args)
    listed = services.follow_up_page(user, filters, request.args.get("after"), week.today,
                                     week.last_day)
    acted = acted_row(request.args)
    return render_template(
        "followups/list.html", listed=listed, today=week.today, acted=acted,
        steps={f.id: follow_up_steps(user, f) for f in listed.page.rows},
        undo=undoable(user, acted, listed.page.rows))


#: The lists a follow-up's step may be taken from, and how their filters are read.
FROM_LISTS = {"followups": ("followups.agency_list", services.FollowUpFilters.from_args)}


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


def _close_confirmation() -> Confirmation:
    """Closing a follow-up says what happens, and asks for the note it needs."""
    if request.form.get("outcome") == "done":
        return Confirmation(
            _("Mark the follow-up done"),
            _("The follow-up will be closed as done; the case's other agencies will see it "
              "in the timeline."),
            _("Mark done"), reason="note", reason_label=_("What was done"))
    return Confirmation(
        _("Cancel the follow-up"),
        _("The follow-up will be dropped from the plan; this cannot be undone."),
        _("Cancel follow-up"), reason="note", reason_label=_("Reason"))


@bp.route("/followups/<follow_up:follow_up_id>/close", methods=["POST"])
@cases_section
@step(load=services.get_follow_up_or_404, action=close_action,
      back=back_to_list(FROM_LISTS, to_case("follow-ups")),
      form=lambda user, obj: CloseFollowUpForm(),
      confirm=lambda user, follow_up: _close_confirmation())
def close(user, follow_up, form):
    services.close_follow_up(user, follow_up, form.outcome.data == "done",
                             form.version.data, form.note.data)
    return _("Follow-up closed.")


@bp.route("/followups/<follow_up:follow_up_id>/undo", methods=["POST"])
@cases_section
@step(load=services.get_follow_up_or_404, action=policy.Action.UNDO_FOLLOW_UP_DONE,
      back=back_to_list(FROM_LISTS, to_case("follow-ups")), form=lambda user, obj: UndoDoneForm())
def undo_done(user, follow_up, form):
    services.undo_done(user, follow_up, form.version.data)
    return _("The follow-up is open again.")
