"""The "who opened this file" section: the lead agency and the committee see
when users of other agencies opened the case (the audit's ``case_viewed``
events; views by the lead agency itself are not audited)."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from coordination import policy
from coordination.audit.models import AuditAction, AuditEvent
from coordination.cases.page import CaseSection
from coordination.extensions import db

#: The most recent views shown; the audit log keeps them all.
SHOWN = 50


def case_views(case) -> list[AuditEvent]:
    """The latest views of ``case`` by other agencies, newest first (one query)."""
    return list(db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.object_type == "case", AuditEvent.object_id == case.id,
               AuditEvent.action == AuditAction.CASE_VIEWED)
        .options(joinedload(AuditEvent.user), joinedload(AuditEvent.agency))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(SHOWN)))


def _build(user, case, can):
    if not can(policy.Action.SEE_CASE_VIEWS, case):
        return None
    return {"views": case_views(case), "shown": SHOWN}


section = CaseSection("views", "caseviews/section.html", _build)
