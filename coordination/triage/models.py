"""An incoming report (a call to 102, 112, 117, 111 or another way in)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.accounts.models import User
from coordination.cases.models import Case
from coordination.extensions import db
from coordination.models_base import LabelledEnum, PersonalKind, enum_type, personal, utcnow
from coordination.territories.models import Territory


class ReportSource(LabelledEnum):
    POLICE_102 = "102", _l("102 (police)")
    EMERGENCY_112 = "112", _l("112 (emergencies)")
    FAMILY_LINE_117 = "117", _l("117 (family-violence line)")
    CHILD_LINE_111 = "111", _l("111 (children's line)")
    OTHER = "other", _l("Other")


class ReportStatus(LabelledEnum):
    WAITING = "waiting", _l("Waiting for triage")
    CASE_OPENED = "case_opened", _l("New case opened")
    ATTACHED = "attached", _l("Attached to a case")
    CLOSED = "closed", _l("Closed")


class ClosingReason(LabelledEnum):
    NOT_FAMILY_VIOLENCE = "not_family_violence", _l("Not family violence")
    DUPLICATE_CALL = "duplicate_call", _l("A repeated call about the same event")
    FALSE_REPORT = "false_report", _l("False or prank call")
    OUTSIDE_DISTRICT = "outside_district", _l("Outside the district")
    NO_CONTACT = "no_contact", _l("No one could be reached")


class IncomingReport(db.Model):
    __tablename__ = "incoming_reports"
    __table_args__ = (
        # The triage queue: a district's waiting reports, oldest first.
        sa.Index("ix_incoming_reports_district_id_status_received_at",
                 "district_id", "status", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[ReportSource] = mapped_column(enum_type(ReportSource))
    #: When the call came in (the clock of report-to-first-action starts here).
    received_at: Mapped[datetime]
    district_id: Mapped[int] = mapped_column(sa.ForeignKey("territories.id"))
    #: What is known: what happened, where, who is in danger.
    summary: Mapped[str] = mapped_column(sa.String(2000), info=personal(PersonalKind.FREE_TEXT))
    #: A phone or way to reach the caller safely, only if they gave one.
    caller_contact: Mapped[str | None] = mapped_column(
        sa.String(200), info=personal(PersonalKind.CONTACT))
    status: Mapped[ReportStatus] = mapped_column(enum_type(ReportStatus),
                                                 default=ReportStatus.WAITING)
    closing_reason: Mapped[ClosingReason | None] = mapped_column(enum_type(ClosingReason))
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The first triage decision (a case, an attachment or a closing).
    first_action_at: Mapped[datetime | None]
    first_action_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    district: Mapped[Territory] = relationship()
    case: Mapped[Case | None] = relationship()
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])
