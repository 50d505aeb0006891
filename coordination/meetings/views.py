"""Committee meetings: the list, scheduling, the meeting page, its steps, the minutes."""
from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import to_utc
from flask_login import current_user

from coordination import policy
from coordination.decorators import section_required
from coordination.extensions import db
from coordination.followups.services import FollowUpData
from coordination.meetings import services
from coordination.meetings.minutes import minutes_pdf
from coordination.meetings.page import (
    build_meeting_page,
    set_attendance_choices,
    set_decision_choices,
)
from coordination.models_base import utcnow
from coordination.steps import run_step
from coordination.web import current_page
from coordination.workflow import WorkflowError
from forms.meetings import (
    AgendaCaseForm,
    AttendanceForm,
    ButtonForm,
    DecisionForm,
    MeetingForm,
    MeetingStepForm,
    RescheduleForm,
)
from forms.referrals import legal_ground_value

bp = Blueprint("meetings", __name__, url_prefix="/meetings")
meetings_section = section_required(policy.Section.MEETINGS)


def _user():
    return current_user._get_current_object()


def _meeting_data(form: MeetingForm) -> services.MeetingData:
    """The form's local date and time, in UTC like every stored timestamp."""
    return services.MeetingData(scheduled_for=to_utc(form.scheduled_for.data),
                                place=form.place.data)


def _show(meeting_id: int, anchor: str | None = None) -> str:
    return url_for("meetings.show_meeting", meeting_id=meeting_id, _anchor=anchor)


@bp.route("")
@meetings_section
def list_meetings():
    user = _user()
    page = current_page()
    pagination = services.list_meetings(user, page=page)
    counts = services.meeting_counts([meeting.id for meeting in pagination.items])
    may_schedule = policy.can(user, policy.Action.SCHEDULE_MEETING, user.agency)
    return render_template("meetings/list.html", pagination=pagination, counts=counts,
                           may_schedule=may_schedule)


@bp.route("/new", methods=["GET", "POST"])
@meetings_section
def new_meeting():
    user = _user()
    if not policy.can(user, policy.Action.SCHEDULE_MEETING, user.agency):
        abort(403)
    form = MeetingForm()
    if form.validate_on_submit():
        try:
            meeting = services.schedule_meeting(user, _meeting_data(form))
        except WorkflowError as error:
            db.session.rollback()
            form.form_errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Meeting scheduled; the agenda is proposed below."), "success")
            return redirect(_show(meeting.id))
    return render_template("meetings/new.html", form=form)


@bp.route("/<int:meeting_id>")
@meetings_section
def show_meeting(meeting_id: int):
    user = _user()
    meeting = services.get_meeting_or_404(user, meeting_id)
    return render_template("meetings/detail.html", page=build_meeting_page(user, meeting),
                           meeting=meeting, today=utcnow().date())


@bp.route("/<int:meeting_id>/minutes.pdf")
@meetings_section
def minutes(meeting_id: int):
    user = _user()
    meeting = services.get_meeting_or_404(user, meeting_id)
    pdf = minutes_pdf(user, meeting)
    db.session.commit()
    filename = f"minutes-{services.local_date(meeting.scheduled_for).isoformat()}.pdf"
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{filename}"',
        "Cache-Control": "no-store",
    })


@bp.route("/<int:meeting_id>/reschedule", methods=["POST"])
@meetings_section
def reschedule(meeting_id: int):
    user = _user()
    meeting = services.get_meeting_or_404(user, meeting_id)
    form = RescheduleForm()
    return run_step(
        lambda: services.reschedule_meeting(user, meeting, _meeting_data(form),
                                            form.version.data),
        _("Meeting changed."), _show(meeting.id), form)


@bp.route("/<int:meeting_id>/cancel", methods=["POST"])
@meetings_section
def cancel(meeting_id: int):
    user = _user()
    meeting = services.get_meeting_or_404(user, meeting_id)
    form = MeetingStepForm()
    return run_step(lambda: services.cancel_meeting(user, meeting, form.version.data),
                    _("Meeting cancelled."), _show(meeting.id), form)


@bp.route("/<int:meeting_id>/agenda/propose", methods=["POST"])
@meetings_section
def propose(meeting_id: int):
    user = _user()
    meeting = services.get_meeting_or_404(user, meeting_id)
    return run_step(lambda: services.propose_agenda(user, meeting),
                    _("Agenda proposal updated."), _show(meeting.id, "agenda"), ButtonForm())


@bp.route("/<int:meeting_id>/agenda", methods=["POST"])
@meetings_section
def add_case(meeting_id: int):
    user = _user()
    meeting = services.get_meeting_or_404(user, meeting_id)
    form = AgendaCaseForm()
    return run_step(lambda: services.add_agenda_case(user, meeting, form.reference.data),
                    _("Case added to the agenda."), _show(meeting.id, "agenda"), form)


@bp.route("/agenda/<int:item_id>/remove", methods=["POST"])
@meetings_section
def remove_item(item_id: int):
    user = _user()
    item = services.get_agenda_item_or_404(user, item_id)
    return run_step(lambda: services.remove_agenda_item(user, item),
                    _("Case taken off the agenda."), _show(item.meeting_id, "agenda"),
                    ButtonForm())


@bp.route("/<int:meeting_id>/attendance", methods=["POST"])
@meetings_section
def attendance(meeting_id: int):
    user = _user()
    meeting = services.get_meeting_or_404(user, meeting_id)
    form = AttendanceForm()
    set_attendance_choices(form, meeting)
    return run_step(
        lambda: services.record_attendance(user, meeting, form.agencies.data or [],
                                           form.version.data),
        _("Attendance recorded."), _show(meeting.id, "attendance"), form)


@bp.route("/<int:meeting_id>/decisions", methods=["POST"])
@meetings_section
def add_decision(meeting_id: int):
    user = _user()
    meeting = services.get_meeting_or_404(user, meeting_id)
    form = DecisionForm()
    set_decision_choices(form, meeting)

    def step():
        services.record_decision(user, meeting, form.case.data, FollowUpData(
            action=form.action.data, owner_agency_id=form.owner_agency.data,
            owner_user_id=form.owner_user.data, due_on=form.due_on.data,
            legal_ground=legal_ground_value(form.legal_ground)))

    return run_step(step, _("Decision recorded."), _show(meeting.id, "decisions"), form)


@bp.route("/<int:meeting_id>/held", methods=["POST"])
@meetings_section
def mark_held(meeting_id: int):
    user = _user()
    meeting = services.get_meeting_or_404(user, meeting_id)
    form = MeetingStepForm()
    return run_step(lambda: services.mark_held(user, meeting, form.version.data),
                    _("The meeting is recorded as held."), _show(meeting.id), form)
