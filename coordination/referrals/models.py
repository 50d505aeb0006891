"""Referrals between agencies and their life cycle."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.accounts.models import User
from coordination.agencies.models import Agency
from coordination.cases.models import Case
from coordination.extensions import db
from coordination.models_base import LabelledEnum, PersonalKind, enum_type, personal, utcnow


class ReferralService(LabelledEnum):
    SHELTER = "shelter", _l("Shelter")
    MEDICAL = "medical", _l("Medical care")
    PSYCHOLOGICAL = "psychological", _l("Psychological support")
    LEGAL_AID = "legal_aid", _l("Legal aid")
    POLICE_PROTECTION = "police_protection", _l("Police protection")
    SOCIAL_BENEFIT = "social_benefit", _l("Social benefit")
    CORRECTIONAL_PROGRAMME = "correctional_programme", _l("Correctional programme")
    OTHER = "other", _l("Other service")


class Priority(LabelledEnum):
    URGENT = "urgent", _l("Urgent")
    HIGH = "high", _l("High")
    NORMAL = "normal", _l("Normal")


class ReferralStatus(LabelledEnum):
    SENT = "sent", _l("Sent")
    ACCEPTED = "accepted", _l("Accepted")
    DECLINED = "declined", _l("Declined")
    IN_PROGRESS = "in_progress", _l("In progress")
    COMPLETED = "completed", _l("Completed")
    CANCELLED = "cancelled", _l("Cancelled")  #: by the sender
    REVOKED = "revoked", _l("Revoked")  #: by the case's lead agency


#: Statuses after which nothing more happens to a referral.
FINAL_STATUSES = frozenset(
    {ReferralStatus.DECLINED, ReferralStatus.COMPLETED, ReferralStatus.CANCELLED,
     ReferralStatus.REVOKED}
)


class LegalGround(LabelledEnum):
    """Grounds on which a referral may go without the survivor's consent."""

    DANGER_TO_LIFE = "danger_to_life", _l("Danger to life")
    CHILD_AT_RISK = "child_at_risk", _l("A child at risk")


class Referral(db.Model):
    __tablename__ = "referrals"
    __table_args__ = (
        # The inboxes filter on the agency and the status; the access policy
        # collects an agency's cases from the same indexes, which hold the
        # case id so that they answer it alone (coordination/policy.py).
        sa.Index("ix_referrals_to_agency_id_status_case_id",
                 "to_agency_id", "status", "case_id"),
        sa.Index("ix_referrals_from_agency_id_status_case_id",
                 "from_agency_id", "status", "case_id"),
        # The inbox's lists: a page of one agency's (or, for "mine", one
        # person's) referrals in one status, in deadline order, read from the
        # index and stopped at the page (keyset pages: coordination/keyset.py).
        sa.Index("ix_referrals_to_agency_id_status_respond_by",
                 "to_agency_id", "status", "respond_by", "id"),
        sa.Index("ix_referrals_from_agency_id_status_respond_by",
                 "from_agency_id", "status", "respond_by", "id"),
        sa.Index("ix_referrals_sent_by_id_status_respond_by",
                 "sent_by_id", "status", "respond_by", "id"),
        sa.Index("ix_referrals_answered_by_id_status_respond_by",
                 "answered_by_id", "status", "respond_by", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    from_agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"))
    to_agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"))
    service: Mapped[ReferralService] = mapped_column(enum_type(ReferralService))
    priority: Mapped[Priority] = mapped_column(enum_type(Priority))
    status: Mapped[ReferralStatus] = mapped_column(
        enum_type(ReferralStatus), default=ReferralStatus.SENT
    )
    #: Set when the referral went without consent on a legal ground (audited).
    legal_ground: Mapped[LegalGround | None] = mapped_column(enum_type(LegalGround))
    sent_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The response deadline, fixed when the referral is sent.
    respond_by: Mapped[datetime]
    #: The first answer (accepted or declined): the response time ends here.
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decline_reason: Mapped[str | None] = mapped_column(
        sa.String(500), info=personal(PersonalKind.FREE_TEXT))
    outcome: Mapped[str | None] = mapped_column(
        sa.String(500), info=personal(PersonalKind.FREE_TEXT))
    closed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    case: Mapped[Case] = relationship(back_populates="referrals")
    from_agency: Mapped[Agency] = relationship(foreign_keys=[from_agency_id])
    to_agency: Mapped[Agency] = relationship(foreign_keys=[to_agency_id])
    sent_by: Mapped[User] = relationship(foreign_keys=[sent_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])

    def is_overdue(self, now: datetime) -> bool:
        """Unanswered past its deadline (derived, never stored)."""
        return self.status == ReferralStatus.SENT and now > self.respond_by
