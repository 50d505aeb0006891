"""A document attached to a case (and, optionally, to a person or an order on it),
or to a committee meeting."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from coordination.accounts.models import User
from coordination.agencies.models import Agency
from coordination.cases.models import Case, Person
from coordination.extensions import db
from coordination.meetings.models import Meeting
from coordination.models_base import LabelledEnum, PersonalKind, enum_type, personal, utcnow
from coordination.protection.models import ProtectionOrder


class DocumentKind(LabelledEnum):
    CERTIFICATE = "certificate", _l("Medical or other certificate")
    CONSENT_FORM = "consent_form", _l("Signed consent form")
    ORDER = "order", _l("Copy of a protection order")
    COURT_DECISION = "court_decision", _l("Court decision")
    OTHER = "other", _l("Other document")


class MediaType(enum.StrEnum):
    """The types the content check accepts (never what the name claims)."""

    PDF = "application/pdf"
    JPEG = "image/jpeg"
    PNG = "image/png"


class StoredFile:
    """What every stored file has, of a case or of a meeting: its type, the
    content's media type, where the bytes are, and who uploaded it."""

    kind: Mapped[DocumentKind] = mapped_column(enum_type(DocumentKind))
    media_type: Mapped[MediaType] = mapped_column(enum_type(MediaType))
    #: Random name in the store; never derived from the uploaded name.
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"))
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    @declared_attr
    def agency(cls) -> Mapped[Agency]:
        return relationship()

    @declared_attr
    def uploaded_by(cls) -> Mapped[User]:
        return relationship()


class CaseDocument(StoredFile, db.Model):
    """One stored file. The bytes live in the document store under
    ``stored_name`` (random); the row holds who, when, what kind."""

    __tablename__ = "case_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"))
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("protection_orders.id"))
    #: The name shown and offered on download: the uploaded name without any
    #: path, its extension set by the content. It may name the survivor.
    title: Mapped[str] = mapped_column(sa.String(160), info=personal(PersonalKind.FREE_TEXT))

    case: Mapped[Case] = relationship()
    #: What the document is about, shown next to it on the case page.
    person: Mapped[Person | None] = relationship()
    order: Mapped[ProtectionOrder | None] = relationship()


class MeetingDocument(StoredFile, db.Model):
    """A file of a committee meeting (a signed attendance sheet, a letter to
    the committee, a copy of an order discussed). Read by the members of the
    committee that holds the meeting, as the meeting itself is (policy).
    Kept with the meeting: case retention does not reach it, as it does not
    reach the minutes."""

    __tablename__ = "meeting_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    #: The meeting's day, the type and the extension set by the content
    #: (``2026-12-10-court_decision.pdf``), never the uploaded name: a
    #: committee's record carries no names (the minutes hold references only),
    #: and a file name is where a survivor's name would slip in.
    title: Mapped[str] = mapped_column(sa.String(160))

    meeting: Mapped[Meeting] = relationship()
