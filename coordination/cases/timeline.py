"""Adding events to a case's timeline."""
from __future__ import annotations

from datetime import datetime

from coordination.accounts.models import User
from coordination.cases.models import Case, TimelineEvent, TimelineKind
from coordination.models_base import utcnow


def add_event(
    case: Case,
    kind: TimelineKind,
    user: User | None,
    at: datetime | None = None,
    related_agency_id: int | None = None,
) -> TimelineEvent:
    """Append ``kind`` to ``case``'s timeline, attributed to ``user`` and agency."""
    event = TimelineEvent(
        kind=kind,
        at=at or utcnow(),
        related_agency_id=related_agency_id,
        user_id=user.id if user else None,
        agency_id=user.agency_id if user else None,
    )
    case.timeline.append(event)
    return event
