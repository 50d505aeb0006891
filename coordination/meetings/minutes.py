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
from coordination.meetings.models import Meeting
from exports.minutes import ActionRow, AgendaRow, Minutes, MinutesLabels, render_minutes


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
    )


def _action_row(follow_up: FollowUp) -> ActionRow:
    return ActionRow(reference=follow_up.case.reference, action=follow_up.action,
                     owner=follow_up.owner_agency.name, due=format_date(follow_up.due_on))


def minutes_data(user: User, meeting: Meeting) -> Minutes:
    """What the minutes of ``meeting`` say, as ``user`` may read it, translated."""
    return Minutes(
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
                      ", ".join(r.label for r in item.reasons))
            for item in meeting.agenda
        ],
        decisions=[_action_row(f) for f in meeting.decisions],
    )


def minutes_pdf(user: User, meeting: Meeting) -> bytes:
    """The minutes as PDF bytes; the printing is audited (it lists references)."""
    pdf = render_minutes(minutes_data(user, meeting))
    record(AuditAction.MINUTES_PRINTED, user, "meeting", meeting.id)
    return pdf
