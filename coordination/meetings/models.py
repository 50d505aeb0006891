"""Committee meetings, who attended, and the cases on the agenda.

A meeting's decisions are follow-ups (``FollowUp.meeting_id``): one action on
one case, owned by one agency, with a due date, like any other follow-up.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.accounts.models import User
from coordination.agencies.models import Agency
from coordination.cases.models import Case
from coordination.extensions import db
from coordination.models_base import (
    DataSubject,
    LabelledEnum,
    PersonalKind,
    enum_type,
    personal,
    utcnow,
)

if TYPE_CHECKING:
    from coordination.followups.models import FollowUp


class MeetingStatus(LabelledEnum):
    SCHEDULED = "scheduled", _l("Scheduled")
    HELD = "held", _l("Held")
    CANCELLED = "cancelled", _l("Cancelled")


class AgendaReason(LabelledEnum):
    """Why a case is on the agenda; a case may have several reasons."""

    HIGH_RISK = "high_risk", _l("High risk")
    REPEAT = "repeat", _l("Repeat case")
    OVERDUE_FOLLOW_UPS = "overdue_follow_ups", _l("Overdue follow-ups")
    DECLINED_REFERRAL = "declined_referral", _l("Referral declined")
    ORDER_CHECK_MISSED = "order_check_missed", _l("Missed check of a protection order")
    ORDER_BREACHED = "order_breached", _l("Protection order breached")
    ADDED_BY_HAND = "added_by_hand", _l("Added by the committee")


class Meeting(db.Model):
    """A meeting of one prevention committee."""

    __tablename__ = "meetings"
    __table_args__ = (
        # A committee's meetings by date: the list, and the previous meeting.
        sa.Index("ix_meetings_committee_id_scheduled_for", "committee_id", "scheduled_for"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"))
    #: When the meeting takes place (UTC, like every timestamp).
    scheduled_for: Mapped[datetime]
    place: Mapped[str] = mapped_column(sa.String(200))
    status: Mapped[MeetingStatus] = mapped_column(
        enum_type(MeetingStatus), default=MeetingStatus.SCHEDULED
    )
    held_at: Mapped[datetime | None]
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Touched by every change to the meeting or its attendance (moves the version).
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    committee: Mapped[Agency] = relationship()
    created_by: Mapped[User] = relationship()
    attendances: Mapped[list[MeetingAttendance]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan"
    )
    agenda_items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )
    decisions: Mapped[list[FollowUp]] = relationship(
        back_populates="meeting", order_by="FollowUp.id"
    )
    attendees: Mapped[list[MeetingAttendee]] = relationship(
        back_populates="meeting", order_by="MeetingAttendee.id", cascade="all, delete-orphan"
    )

    def attendee_in(self, role) -> MeetingAttendee | None:
        """The chair or the secretary, if recorded."""
        return next((a for a in self.attendees if a.role == role), None)

    @property
    def agenda(self) -> list[AgendaItem]:
        """The items still on the agenda (not removed), in their order."""
        return [item for item in self.agenda_items if not item.removed]

    def __repr__(self) -> str:
        return f"<Meeting {self.id} of agency {self.committee_id}>"


class MeetingAttendance(db.Model):
    """An agency that attended the meeting."""

    __tablename__ = "meeting_attendances"

    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), primary_key=True)

    meeting: Mapped[Meeting] = relationship(back_populates="attendances")
    agency: Mapped[Agency] = relationship()


class AttendeeRole(LabelledEnum):
    MEMBER = "member", _l("Member")
    CHAIR = "chair", _l("Chair")
    SECRETARY = "secretary", _l("Secretary")


class MeetingAttendee(db.Model):
    """A person who attended the meeting: name, position, agency, and whether
    they chaired it or kept the minutes. Staff, never a person on a case."""

    __tablename__ = "meeting_attendees"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    name: Mapped[str] = mapped_column(
        sa.String(200), info=personal(PersonalKind.NAME, DataSubject.STAFF))
    position: Mapped[str] = mapped_column(sa.String(200))
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"))
    role: Mapped[AttendeeRole] = mapped_column(enum_type(AttendeeRole),
                                               default=AttendeeRole.MEMBER)

    meeting: Mapped[Meeting] = relationship(back_populates="attendees")
    agency: Mapped[Agency | None] = relationship()


class AgendaItem(db.Model):
    """One case on a meeting's agenda, with every reason it is there."""

    __tablename__ = "agenda_items"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    #: Order on the agenda: proposed cases first (high risk first), then by hand.
    position: Mapped[int]
    #: Taken off the agenda by the committee; kept so that a new proposal
    #: does not bring the case back.
    removed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: What the committee said about the case: references only, never names
    #: (the service refuses a note naming a person on the case).
    discussion_note: Mapped[str | None] = mapped_column(
        sa.String(1000), info=personal(PersonalKind.FREE_TEXT))

    meeting: Mapped[Meeting] = relationship(back_populates="agenda_items")
    case: Mapped[Case] = relationship()
    reason_rows: Mapped[list[AgendaItemReason]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def reasons(self) -> list[AgendaReason]:
        """The reasons, in the order the enum lists them."""
        present = {row.reason for row in self.reason_rows}
        return [reason for reason in AgendaReason if reason in present]

    def add_reasons(self, reasons) -> list[AgendaReason]:
        """Add the reasons the item does not have yet; returns those added."""
        added = [reason for reason in AgendaReason
                 if reason in set(reasons) and reason not in self.reasons]
        self.reason_rows.extend(AgendaItemReason(reason=reason) for reason in added)
        return added


class AgendaItemReason(db.Model):
    """One reason for an agenda item (a multi-valued field, one row each).

    No CHECK constraint: the list grows with the features (protection
    orders, risk assessments), like timeline kinds.
    """

    __tablename__ = "agenda_item_reasons"

    item_id: Mapped[int] = mapped_column(sa.ForeignKey("agenda_items.id"), primary_key=True)
    reason: Mapped[AgendaReason] = mapped_column(
        enum_type(AgendaReason, constrained=False), primary_key=True
    )
