"""The minutes' content, in the reader's language, for ``exports.minutes``.

Cases appear by reference number only: no person's name (not even the
owner person of a decision), no survivor code, no address, no phone.
"""
from __future__ import annotations

from flask_babel import format_date, format_time
from flask_babel import gettext as _

from coordination.accounts.models import User
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.followups.models import FollowUp
from coordination.i18n import sorted_names
from coordination.meetings import services
from coordination.meetings.models import AttendeeRole, Meeting
from exports.minutes import (
    ActionRow,
    AgendaRow,
    AttendeeRow,
    Minutes,
    MinutesLabels,
    render_minutes,
)


def _labels() -> MinutesLabels:
    return MinutesLabels(
        title=_("Minutes of the committee meeting"),
        date=_("Date and time"),
        place=_("Venue"),
        status=_("Status"),
        attending=_("Attending agencies"),
        review=_("Open decisions of earlier meetings, reviewed first"),
        agenda=_("Agenda"),
        decisions=_("Decisions"),
        case=_("Case"),
        reasons=_("Reasons"),
        action=_("Action"),
        owner=_("Responsible agency"),
        due=_("Due date"),
        none=_("None."),
        footer=_("Cases are named by reference number only; these minutes hold no "
                 "personal data."),
        page=_("Page %(page)s"),
        attendees=_("Present"),
        name=_("Name"),
        position=_("Position"),
        agency=_("Agency"),
        chair=_("Chair"),
        secretary=_("Secretary"),
        absent=_("Invited agencies absent"),
        discussion=_("Discussion"),
    )


def _action_row(follow_up: FollowUp) -> ActionRow:
    return ActionRow(reference=follow_up.case.reference, action=follow_up.action,
                     owner=follow_up.owner_agency.name, due=format_date(follow_up.due_on))


def _person(attendee) -> str:
    return f"{attendee.name}, {attendee.position}" if attendee is not None else ""


def minutes_data(user: User, meeting: Meeting, agenda_only: bool = False) -> Minutes:
    """What the minutes of ``meeting`` say, as ``user`` may read it, translated."""
    attended = {attendance.agency_id for attendance in meeting.attendances}
    return Minutes(
        agenda_only=agenda_only,
        attendees=[AttendeeRow(a.name, a.position, a.agency.name if a.agency else "")
                   for a in meeting.attendees],
        chair=_person(meeting.attendee_in(AttendeeRole.CHAIR)),
        secretary=_person(meeting.attendee_in(AttendeeRole.SECRETARY)),
        absent=sorted_names(agency.name for agency in services.attendance_candidates(meeting)
                            if agency.id not in attended),
        labels=_labels(),
        committee=meeting.committee.name,
        date=f"{format_date(meeting.scheduled_for, 'full')}, "
             f"{format_time(meeting.scheduled_for, 'short')}",
        place=meeting.place,
        status=meeting.status.label,
        attending=sorted_names(attendance.agency.name for attendance in meeting.attendances),
        review=[_action_row(f) for f in services.open_decisions_to_review(user, meeting)],
        agenda=[
            AgendaRow(item.case.reference,
                      ", ".join(r.label for r in item.reasons), item.discussion_note or "")
            for item in meeting.agenda
        ],
        decisions=[_action_row(f) for f in meeting.decisions],
    )


def minutes_pdf(user: User, meeting: Meeting) -> bytes:
    """The minutes as PDF bytes; the printing is audited (it lists references)."""
    pdf = render_minutes(minutes_data(user, meeting))
    record(AuditAction.MINUTES_PRINTED, user, "meeting", meeting.id)
    return pdf


def agenda_pdf(user: User, meeting: Meeting) -> bytes:
    """The agenda alone, to hand out before the meeting; audited (it lists references)."""
    data = minutes_data(user, meeting, agenda_only=True)
    labels = data.labels
    data = Minutes(**{**data.__dict__, "labels": MinutesLabels(
        **{**labels.__dict__, "title": _("Agenda of the committee meeting"),
           "footer": _("Cases are named by reference number only; this agenda holds no "
                       "personal data.")})})
    pdf = render_minutes(data)
    record(AuditAction.AGENDA_PRINTED, user, "meeting", meeting.id)
    return pdf
