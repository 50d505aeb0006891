"""Case notes and the history of their corrections.

Notes are never counted in statistics, never shown in lists or minutes: they
live in the case page's notes section alone.
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.accounts.models import User
from coordination.agencies.models import Agency
from coordination.extensions import db
from coordination.models_base import LabelledEnum, PersonalKind, enum_type, personal, utcnow


class NoteVisibility(LabelledEnum):
    INVOLVED = "involved", _l("Every agency working on the case")
    OWN_AGENCY = "own_agency", _l("My agency only")


class CaseNote(db.Model):
    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    #: The day the note is about (a visit, a call), not the day it was typed.
    dated_on: Mapped[date]
    visibility: Mapped[NoteVisibility] = mapped_column(enum_type(NoteVisibility))
    text: Mapped[str] = mapped_column(sa.Text, info=personal(PersonalKind.FREE_TEXT))
    written_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    agency: Mapped[Agency] = relationship()
    author: Mapped[User] = relationship()
    case = relationship("Case")
    revisions: Mapped[list[CaseNoteRevision]] = relationship(
        order_by="CaseNoteRevision.id", back_populates="note")


class CaseNoteRevision(db.Model):
    """The text a note had before one correction (the history)."""

    __tablename__ = "case_note_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(sa.ForeignKey("case_notes.id"), index=True)
    #: The note's case, so the retention rule finds the old texts too.
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    text: Mapped[str] = mapped_column(sa.Text, info=personal(PersonalKind.FREE_TEXT))
    superseded_at: Mapped[datetime] = mapped_column(default=utcnow)

    note: Mapped[CaseNote] = relationship(back_populates="revisions")
