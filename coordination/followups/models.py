"""Follow-ups (one action each, owned by one agency, with a due date)."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.accounts.models import User
from coordination.agencies.models import Agency
from coordination.cases.models import Case
from coordination.extensions import db
from coordination.models_base import LabelledEnum, PersonalKind, enum_type, personal, utcnow
from coordination.referrals.models import LegalGround

if TYPE_CHECKING:
    from coordination.meetings.models import Meeting


class FollowUpStatus(LabelledEnum):
    OPEN = "open", _l("Open")
    DONE = "done", _l("Done")
    CANCELLED = "cancelled", _l("Cancelled")


class FollowUp(db.Model):
    __tablename__ = "follow_ups"
    __table_args__ = (
        # The list: an agency's (or, for "mine", one person's) open
        # follow-ups by due date and id, the keyset pages' order, read from
        # the index and stopped at the page (coordination/keyset.py).
        sa.Index("ix_follow_ups_owner_agency_id_status_due_on_id",
                 "owner_agency_id", "status", "due_on", "id"),
        sa.Index("ix_follow_ups_owner_user_id_status_due_on_id",
                 "owner_user_id", "status", "due_on", "id"),
        # The access policy: the cases an agency owns work on that someone
        # else gave it (a self-assigned follow-up grants nothing).
        sa.Index("ix_follow_ups_owner_agency_id_self_assigned_case_id",
                 "owner_agency_id", "self_assigned", "case_id"),
        # A committee's decisions. Partial: most follow-ups belong to no
        # meeting, and a full index's statistics (one value, NULL, for nearly
        # every row) made the planners pass it over for the decisions' queries.
        sa.Index("ix_follow_ups_meeting_id", "meeting_id",
                 sqlite_where=sa.text("meeting_id IS NOT NULL"),
                 postgresql_where=sa.text("meeting_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(300), info=personal(PersonalKind.FREE_TEXT))
    owner_agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"))
    #: Optionally one person of the owning agency.
    owner_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    due_on: Mapped[date]
    status: Mapped[FollowUpStatus] = mapped_column(
        enum_type(FollowUpStatus), default=FollowUpStatus.OPEN
    )
    #: What was done (on completion) or why it was dropped (on cancellation).
    closing_note: Mapped[str | None] = mapped_column(
        sa.String(500), info=personal(PersonalKind.FREE_TEXT))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    closed_at: Mapped[datetime | None]
    #: Set when the follow-up is a decision of a committee meeting.
    meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meetings.id"))
    #: The owner's agency gave it to itself: it grants no access to the case
    #: (the agency sees the case only while something else involves it).
    # A server default only: the synthetic data's bulk writer lists its columns.
    self_assigned: Mapped[bool] = mapped_column(server_default=sa.false())
    #: Why the owner may see the case without the survivor's consent for its
    #: type (None: consent, or the owner already holds the case).
    legal_ground: Mapped[LegalGround | None] = mapped_column(
        enum_type(LegalGround))
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    case: Mapped[Case] = relationship(back_populates="follow_ups")
    owner_agency: Mapped[Agency] = relationship()
    owner_user: Mapped[User | None] = relationship(foreign_keys=[owner_user_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    meeting: Mapped[Meeting | None] = relationship(back_populates="decisions")

    def is_overdue(self, today: date) -> bool:
        """Open past its due date (derived, never stored)."""
        return self.status == FollowUpStatus.OPEN and today > self.due_on
