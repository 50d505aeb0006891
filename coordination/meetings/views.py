"""Committee meetings: the list, scheduling, the meeting page, its steps, the minutes."""
from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import to_utc

from coordination import policy
from coordination.decorators import section_required
from coordination.followups.services import FollowUpData
from coordination.meetings import record, services
from coordination.meetings.minutes import agenda_pdf, minutes_pdf
from coordination.meetings.models import AttendeeRole
from coordination.meetings.page import (
    build_meeting_page,
    set_attendance_choices,
    set_decision_choices,
)
from coordination.models_base import utcnow
from coordination.pipeline import (
    REFUSED,
    Confirmation,
    acting_user,
    allow_write,
    attempt,
    current_page,
    step,
)
from coordination.refusals import Forbidden
from coordination.replica.routing import reads_from_replica
from forms.fields import choices
from forms.meetings import (
    AgendaCaseForm,
    AttendanceForm,
    AttendeeForm,
    ButtonForm,
    DecisionForm,
    DiscussionNoteForm,
    MeetingForm,
    MeetingStepForm,
    RemoveAttendeeForm,
    RescheduleForm,
)
from forms.referrals import legal_ground_value

bp = Blueprint("meetings", __name__, url_prefix="/meetings")
meetings_section = section_required(policy.Section.MEETINGS)


_user = acting_user


def _meeting_data(form: MeetingForm) -> services.MeetingData:
    """The form's local date and time, in UTC like every stored timestamp."""
    return services.MeetingData(scheduled_for=to_utc(form.scheduled_for.data),
                                place=form.place.data)


def _show(meeting_id: int, anchor: str | None = None) -> str:
    return url_for("meetings.show_meeting", meeting_id=meeting_id, _anchor=anchor)


@bp.route("")
@meetings_section
@reads_from_replica
def list_meetings():
    user = _user()
    pagination = services.list_meetings(user, page=current_page())
    counts = services.meeting_counts([meeting.id for meeting in pagination.items])
    may_schedule = policy.can(user, policy.Action.SCHEDULE_MEETING, user.agency)
    return render_template("meetings/list.html", pagination=pagination, counts=counts,
                           may_schedule=may_schedule)


@bp.route("/new", methods=["GET", "POST"])
@meetings_section
def new_meeting():
    user = _user()
    if not policy.can(user, policy.Action.SCHEDULE_MEETING, user.agency):
        raise Forbidden()
    form = MeetingForm()
    if form.validate_on_submit():
        meeting = attempt(form, services.schedule_meeting, user, _meeting_data(form))
        if meeting is not REFUSED:
            flash(_("Meeting scheduled; the agenda is proposed below."), "success")
            return redirect(_show(meeting.id))
    return render_template("meetings/new.html", form=form)


@bp.route("/<meeting:meeting_id>")
@meetings_section
def show_meeting(meeting_id: int):
    user = _user()
    meeting = services.get_meeting_or_404(user, meeting_id)
    return render_template("meetings/detail.html", page=build_meeting_page(user, meeting),
                           meeting=meeting, today=utcnow().date())


@bp.route("/<meeting:meeting_id>/minutes.pdf")
@meetings_section
def minutes(meeting_id: int):
    user = _user()
    meeting = services.get_meeting_or_404(user, meeting_id)
    pdf = minutes_pdf(user, meeting)
    allow_write("audit of the minutes download")
    filename = f"minutes-{services.local_date(meeting.scheduled_for).isoformat()}.pdf"
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{filename}"',
        "Cache-Control": "no-store",
    })


@bp.route("/<meeting:meeting_id>/agenda.pdf")
@meetings_section
def agenda(meeting_id: int):
    """The agenda, printable before the meeting (references only)."""
    user = _user()
    meeting = services.get_meeting_or_404(user, meeting_id)
    pdf = agenda_pdf(user, meeting)
    allow_write("audit of the agenda download")
    filename = f"agenda-{services.local_date(meeting.scheduled_for).isoformat()}.pdf"
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{filename}"',
        "Cache-Control": "no-store",
    })


def _meeting(user, meeting_id):
    return services.get_meeting_or_404(user, meeting_id)


def to_meeting(anchor: str | None = None):
    """``back`` for a step: the meeting's page (of an agenda item's meeting)."""
    def back(user, obj) -> str:
        meeting = getattr(obj, "meeting", obj)
        return url_for("meetings.show_meeting", meeting_id=meeting.id, _anchor=anchor)

    return back


@bp.route("/<meeting:meeting_id>/reschedule", methods=["POST"])
@meetings_section
@step(load=_meeting, action=policy.Action.MANAGE_MEETING, back=to_meeting(),
      form=lambda user, meeting: RescheduleForm())
def reschedule(user, meeting, form):
    services.reschedule_meeting(user, meeting, _meeting_data(form), form.version.data)
    return _("Meeting changed.")


@bp.route("/<meeting:meeting_id>/cancel", methods=["POST"])
@meetings_section
@step(load=_meeting, action=policy.Action.MANAGE_MEETING, back=to_meeting(),
      form=lambda user, meeting: MeetingStepForm(),
      confirm=lambda user, meeting: Confirmation(
          _("Cancel the meeting"),
          _("The meeting will be cancelled for every agency invited; its agenda is kept "
            "but nothing can be recorded at it. This cannot be undone."),
          _("Cancel the meeting")))
def cancel(user, meeting, form):
    services.cancel_meeting(user, meeting, form.version.data)
    return _("Meeting cancelled.")


@bp.route("/<meeting:meeting_id>/agenda/propose", methods=["POST"])
@meetings_section
@step(load=_meeting, action=policy.Action.PREPARE_AGENDA, back=to_meeting("agenda"),
      form=lambda user, meeting: ButtonForm())
def propose(user, meeting, form):
    services.propose_agenda(user, meeting)
    return _("Agenda proposal updated.")


@bp.route("/<meeting:meeting_id>/agenda", methods=["POST"])
@meetings_section
@step(load=_meeting, action=policy.Action.PREPARE_AGENDA, back=to_meeting("agenda"),
      form=lambda user, meeting: AgendaCaseForm())
def add_case(user, meeting, form):
    services.add_agenda_case(user, meeting, form.reference.data)
    return _("Case added to the agenda.")


@bp.route("/agenda/<agenda_item:item_id>/remove", methods=["POST"])
@meetings_section
@step(load=services.get_agenda_item_or_404, action=policy.Action.PREPARE_AGENDA,
      back=to_meeting("agenda"), form=lambda user, item: ButtonForm(),
      confirm=lambda user, item: Confirmation(
          _("Take the case off the agenda"),
          _("Case %(reference)s will not be discussed at this meeting.",
            reference=item.case.reference),
          _("Take it off the agenda")))
def remove_item(user, item, form):
    services.remove_agenda_item(user, item)
    return _("Case taken off the agenda.")


def _attendance_form(user, meeting):
    form = AttendanceForm()
    set_attendance_choices(form, meeting)
    return form


@bp.route("/<meeting:meeting_id>/attendance", methods=["POST"])
@meetings_section
@step(load=_meeting, action=policy.Action.RECORD_MEETING, back=to_meeting("attendance"),
      form=_attendance_form)
def attendance(user, meeting, form):
    services.record_attendance(user, meeting, form.agencies.data or [], form.version.data)
    return _("Attendance recorded.")


def _decision_form(user, meeting):
    form = DecisionForm()
    set_decision_choices(form, meeting)
    return form


@bp.route("/<meeting:meeting_id>/decisions", methods=["POST"])
@meetings_section
@step(load=_meeting, action=policy.Action.RECORD_MEETING, back=to_meeting("decisions"),
      form=_decision_form)
def add_decision(user, meeting, form):
    services.record_decision(user, meeting, form.case.data, FollowUpData(
        action=form.action.data, owner_agency_id=form.owner_agency.data,
        owner_user_id=form.owner_user.data, due_on=form.due_on.data,
        legal_ground=legal_ground_value(form.legal_ground)))
    return _("Decision recorded.")


@bp.route("/<meeting:meeting_id>/held", methods=["POST"])
@meetings_section
@step(load=_meeting, action=policy.Action.RECORD_MEETING, back=to_meeting(),
      form=lambda user, meeting: MeetingStepForm())
def mark_held(user, meeting, form):
    services.mark_held(user, meeting, form.version.data)
    return _("The meeting is recorded as held.")


def attendee_form(user, meeting, display: bool = False) -> AttendeeForm:
    form = AttendeeForm(formdata=None) if display else AttendeeForm()
    form.agency.choices = choices(
        [("", "—"), *((a.id, a.name) for a in services.attendance_candidates(meeting))])
    return form


@bp.route("/<meeting:meeting_id>/attendees", methods=["POST"])
@meetings_section
@step(load=_meeting, action=policy.Action.RECORD_MEETING, back=to_meeting("attendees"),
      form=attendee_form)
def add_attendee(user, meeting, form):
    record.add_attendee(user, meeting, record.AttendeeData(
        form.name.data, form.position.data, form.agency.data, AttendeeRole(form.role.data)))
    return _("Attendee recorded.")


@bp.route("/<meeting:meeting_id>/attendees/remove", methods=["POST"])
@meetings_section
@step(load=_meeting, action=policy.Action.RECORD_MEETING, back=to_meeting("attendees"),
      form=lambda user, meeting: RemoveAttendeeForm())
def remove_attendee(user, meeting, form):
    record.remove_attendee(user, meeting, form.attendee.data)
    return _("Attendee taken off the list.")


@bp.route("/agenda/<agenda_item:item_id>/note", methods=["POST"])
@meetings_section
@step(load=services.get_agenda_item_or_404, action=policy.Action.RECORD_MEETING,
      back=to_meeting("agenda"), form=lambda user, item: DiscussionNoteForm())
def note(user, item, form):
    record.note_discussion(user, item, form.note.data)
    return _("Discussion note saved.")
