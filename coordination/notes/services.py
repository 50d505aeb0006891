"""Writing, reading and correcting case notes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from coordination import policy
from coordination.accounts.models import User
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.cases.models import Case, TimelineKind
from coordination.cases.timeline import add_event
from coordination.extensions import db
from coordination.models_base import utcnow
from coordination.notes.models import CaseNote, CaseNoteRevision, NoteVisibility
from coordination.refusals import Forbidden, NotFound, RuleBroken, Stale
from coordination.settings.services import get_setting


@dataclass(frozen=True)
class NoteData:
    dated_on: date
    visibility: NoteVisibility
    text: str


def _checked(data: NoteData, now: datetime) -> str:
    text = (data.text or "").strip()
    if not text:
        raise RuleBroken(_("Write the note."), field="text")
    if data.dated_on > now.date():
        raise RuleBroken(_("A note cannot be dated in the future."), field="dated_on")
    return text


def add_note(user: User, case: Case, data: NoteData, now: datetime | None = None) -> CaseNote:
    if not policy.can(user, policy.Action.ADD_NOTE, case):
        raise Forbidden("this user may not write notes on this case")
    now = now or utcnow()
    note = CaseNote(case_id=case.id, agency_id=user.agency_id, author_id=user.id,
                    dated_on=data.dated_on, visibility=data.visibility,
                    text=_checked(data, now), written_at=now)
    db.session.add(note)
    db.session.flush()
    add_event(case, TimelineKind.NOTE_WRITTEN, user, at=now)
    record(AuditAction.NOTE_WRITTEN, user, "case_note", note.id)
    return note


def edit_window() -> timedelta:
    """How long the author may correct a note (the ``note_edit_minutes`` setting)."""
    return timedelta(minutes=get_setting("note_edit_minutes"))


def still_editable(note: CaseNote, now: datetime, window: timedelta | None = None) -> bool:
    """Within the edit window (``window``: read once by a caller asking of many notes)."""
    return now - note.written_at <= (window if window is not None else edit_window())


def edit_note(user: User, note: CaseNote, data: NoteData, expected_version: int | None,
              now: datetime | None = None) -> CaseNote:
    """Correct a note: its author, within the window; the old text is kept."""
    if not policy.can(user, policy.Action.EDIT_NOTE, note):
        raise Forbidden("only the author corrects a note")
    now = now or utcnow()
    if not still_editable(note, now):
        raise RuleBroken(_("The time to correct this note has passed; write a new note."))
    if expected_version is not None and expected_version != note.version:
        raise Stale(_("This note was changed meanwhile; look at it again."))
    text = _checked(data, now)
    db.session.add(CaseNoteRevision(note_id=note.id, case_id=note.case_id, text=note.text,
                                    superseded_at=now))
    note.text, note.dated_on, note.visibility = text, data.dated_on, data.visibility
    note.edited_at = now
    db.session.flush()
    add_event(note.case, TimelineKind.NOTE_CORRECTED, user, at=now)
    record(AuditAction.NOTE_CORRECTED, user, "case_note", note.id)
    return note


def readable_notes(user: User, case: Case) -> list[CaseNote]:
    """The notes of ``case`` that ``user`` may read, newest first (two queries);
    a former party's own alone (``policy.items_read``)."""
    notes = db.session.scalars(
        sa.select(CaseNote).where(CaseNote.case_id == case.id)
        .options(joinedload(CaseNote.agency), joinedload(CaseNote.author),
                 selectinload(CaseNote.revisions),
                 *policy.items_read(user, policy.case_reading(user, case)))
        .order_by(CaseNote.dated_on.desc(), CaseNote.id.desc())).all()
    return [n for n in notes if policy.can(user, policy.Action.READ_NOTE, n, case_visible=True)]


def get_note_or_404(user: User, note_id: int) -> CaseNote:
    """The note if ``user`` may read it; 404 otherwise (like a missing one)."""
    note = db.session.scalar(
        sa.select(CaseNote).join(Case, Case.id == CaseNote.case_id)
        .where(CaseNote.id == note_id, policy.case_visibility_per_row(user)))
    if note is None or not policy.can(user, policy.Action.READ_NOTE, note, case_visible=True):
        raise NotFound()
    return note
