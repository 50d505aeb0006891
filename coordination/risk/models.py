"""Risk assessments: the answers, the score, and the level they lead to."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.accounts.models import User
from coordination.cases.models import Case, RiskLevel
from coordination.extensions import db
from coordination.models_base import PersonalKind, enum_type, personal, utcnow


class RiskAssessment(db.Model):
    """One completed checklist. The latest one sets the case's risk level."""

    __tablename__ = "risk_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    #: Question key -> yes (True) / no (False), for the questions asked then.
    answers: Mapped[dict] = mapped_column(sa.JSON)
    score: Mapped[int]
    #: The level the score gives by the thresholds in force then.
    scored_level: Mapped[RiskLevel] = mapped_column(enum_type(RiskLevel, name="scoredlevel"))
    #: The level after professional judgement: never lower than the score's.
    level: Mapped[RiskLevel] = mapped_column(enum_type(RiskLevel))
    raise_reason: Mapped[str | None] = mapped_column(
        sa.String(500), info=personal(PersonalKind.FREE_TEXT))
    assessed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    assessed_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="risk_assessments")
    assessed_by: Mapped[User] = relationship()
