"""The full record of a meeting: who attended by name and position (and who
chaired it and kept the minutes), and what was said about each case.

The discussion note goes into the minutes, which carry references only: a
note that names a person on the case (any spelling, compared folded) is
refused, so that the printed minutes never hold a survivor's name.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from coordination.accounts.models import User
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.cases.folding import fold_text, fold_word
from coordination.extensions import db
from coordination.meetings.models import AgendaItem, AttendeeRole, Meeting, MeetingAttendee
from coordination.meetings.services import _require, _touch, attendance_candidates
from coordination.models_base import utcnow
from coordination.policy import Action
from coordination.refusals import RuleBroken


@dataclass
class AttendeeData:
    name: str
    position: str
    agency_id: int | None = None
    role: AttendeeRole = AttendeeRole.MEMBER


def add_attendee(user: User, meeting: Meeting, data: AttendeeData,
                 now: datetime | None = None) -> MeetingAttendee:
    """Record one person present; at most one chair and one secretary."""
    _require(user, Action.RECORD_MEETING, meeting)
    name, position = (data.name or "").strip(), (data.position or "").strip()
    if not name:
        raise RuleBroken(_l("Enter the attendee's name."), "name")
    if not position:
        raise RuleBroken(_l("Enter the attendee's position."), "position")
    if data.agency_id is not None and data.agency_id not in {
            agency.id for agency in attendance_candidates(meeting)}:
        raise RuleBroken(_l("Choose an agency from the list."), "agency")
    if data.role != AttendeeRole.MEMBER and meeting.attendee_in(data.role) is not None:
        raise RuleBroken(_l("A meeting has one chair and one secretary; this role is taken."),
                         "role")
    attendee = MeetingAttendee(name=name, position=position, agency_id=data.agency_id,
                               role=data.role)
    meeting.attendees.append(attendee)
    _touch(meeting, now or utcnow())
    db.session.flush()
    record(AuditAction.ATTENDANCE_RECORDED, user, "meeting", meeting.id)
    return attendee


def remove_attendee(user: User, meeting: Meeting, attendee_id: int | None,
                    now: datetime | None = None) -> None:
    """Take a person off the list (a mistake in the record)."""
    _require(user, Action.RECORD_MEETING, meeting)
    attendee = next((a for a in meeting.attendees if a.id == attendee_id), None)
    if attendee is None:
        raise RuleBroken(_l("Choose an attendee from the list."))
    meeting.attendees.remove(attendee)
    _touch(meeting, now or utcnow())
    db.session.flush()
    record(AuditAction.ATTENDANCE_RECORDED, user, "meeting", meeting.id)


def _names_a_person(item: AgendaItem, note: str) -> bool:
    """Whether ``note`` contains a surname or given name of a person on the case."""
    words = set(fold_text(note).split())
    names = {fold_word(part) for person in item.case.people
             for part in (person.last_name, person.first_name)}
    return bool(words & {name for name in names if len(name) >= 3})


def note_discussion(user: User, item: AgendaItem, note: str,
                    now: datetime | None = None) -> AgendaItem:
    """Write what the committee said about the case (empty: no note)."""
    _require(user, Action.RECORD_MEETING, item.meeting)
    note = (note or "").strip()
    if note and _names_a_person(item, note):
        raise RuleBroken(_l("The minutes name cases by reference only: leave the names "
                            "of the people out of the note."), "note")
    item.discussion_note = note or None
    _touch(item.meeting, now or utcnow())
    db.session.flush()
    record(AuditAction.MEETING_NOTE_RECORDED, user, "meeting", item.meeting_id)
    return item
