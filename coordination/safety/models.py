"""The safety plan: one per case, the survivor's own words, reviewed at a date."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.accounts.models import User
from coordination.extensions import db
from coordination.models_base import PersonalKind, personal, utcnow

#: The plan's parts, in the order the form and the page show them.
PARTS = ("safe_contacts", "safe_places", "signals", "documents_ready", "children")


class SafetyPlan(db.Model):
    __tablename__ = "safety_plans"
    __table_args__ = (
        # The lead agency's home panel: plans due for review, soonest first.
        sa.Index("ix_safety_plans_review_on", "review_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), unique=True)
    safe_contacts: Mapped[str | None] = mapped_column(
        sa.Text, info=personal(PersonalKind.FREE_TEXT))
    safe_places: Mapped[str | None] = mapped_column(sa.Text, info=personal(PersonalKind.FREE_TEXT))
    signals: Mapped[str | None] = mapped_column(sa.Text, info=personal(PersonalKind.FREE_TEXT))
    documents_ready: Mapped[str | None] = mapped_column(
        sa.Text, info=personal(PersonalKind.FREE_TEXT))
    children: Mapped[str | None] = mapped_column(sa.Text, info=personal(PersonalKind.FREE_TEXT))
    review_on: Mapped[date]
    updated_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    case = relationship("Case")
    updated_by: Mapped[User] = relationship()
