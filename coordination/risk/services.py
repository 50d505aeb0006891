"""Scoring the risk checklist and recording an assessment."""
from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import gettext as _

from coordination import policy
from coordination.accounts.models import User
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.cases.models import Case, RiskLevel, TimelineKind
from coordination.cases.timeline import add_event
from coordination.extensions import db
from coordination.models_base import utcnow
from coordination.refusals import Forbidden, RuleBroken
from coordination.risk.models import RiskAssessment
from coordination.settings.services import get_setting

#: Levels from lowest to highest; judgement may move up this list, never down.
LEVEL_ORDER = (RiskLevel.STANDARD, RiskLevel.MEDIUM, RiskLevel.HIGH)


def questions() -> tuple[str, ...]:
    """The checklist's question keys, in order (config ``RISK_QUESTIONS``)."""
    return tuple(current_app.config["RISK_QUESTIONS"])


def scored_level(score: int) -> RiskLevel:
    """The level a number of "yes" answers gives (the risk threshold settings)."""
    if score >= get_setting("risk_high_threshold"):
        return RiskLevel.HIGH
    if score >= get_setting("risk_medium_threshold"):
        return RiskLevel.MEDIUM
    return RiskLevel.STANDARD


def assess(
    user: User,
    case: Case,
    yes_answers: set[str],
    raised_to: RiskLevel | None = None,
    reason: str | None = None,
    now: datetime | None = None,
) -> RiskAssessment:
    """Record a completed checklist; the case takes its level.

    ``raised_to`` is professional judgement above the score's level, which
    needs a written ``reason``; a level below the score's is refused.
    """
    if not policy.can(user, policy.Action.ASSESS_RISK, case):
        raise Forbidden("this user may not assess this case")
    unknown = yes_answers - set(questions())
    if unknown:
        raise RuleBroken(_("Unknown question in the checklist."))
    score = len(yes_answers)
    level = scored = scored_level(score)
    reason = (reason or "").strip() or None
    if raised_to is not None and raised_to != scored:
        if LEVEL_ORDER.index(raised_to) < LEVEL_ORDER.index(scored):
            raise RuleBroken(_("Professional judgement may raise the level, never lower it."))
        if reason is None:
            raise RuleBroken(_("Write why you raise the level."))
        level = raised_to
    assessment = RiskAssessment(
        answers={key: key in yes_answers for key in questions()}, score=score,
        scored_level=scored, level=level,
        raise_reason=reason if level != scored else None,
        assessed_by_id=user.id, assessed_at=now or utcnow(),
    )
    case.risk_assessments.append(assessment)
    case.risk_level = level
    db.session.flush()
    add_event(case, TimelineKind.RISK_ASSESSED, user, at=assessment.assessed_at)
    record(AuditAction.RISK_ASSESSED, user, "risk_assessment", assessment.id)
    return assessment
