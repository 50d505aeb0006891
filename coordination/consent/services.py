"""Recording and withdrawing the survivor's consent."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from coordination import policy
from coordination.accounts.models import User
from coordination.agencies.models import AgencyType
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.cases.models import Case, TimelineKind
from coordination.cases.timeline import add_event
from coordination.consent.models import SHAREABLE_TYPES, ConsentRecord, ConsentScope
from coordination.extensions import db
from coordination.models_base import utcnow
from coordination.refusals import Forbidden, NotFound, RuleBroken


def consents_in_force(case: Case) -> list[ConsentRecord]:
    """The case's consents that have not been withdrawn."""
    return [c for c in case.consents if c.in_force]


def covers(case: Case, agency_type: AgencyType) -> bool:
    """Whether the survivor's consent covers sharing with ``agency_type``."""
    return any(
        c.scope == ConsentScope.SHARING and c.agency_type == agency_type
        for c in consents_in_force(case)
    )


def record_consent(
    user: User, case: Case, scope: ConsentScope, agency_type: AgencyType | None = None,
    now: datetime | None = None,
) -> ConsentRecord:
    """Record consent for one scope (sharing with ``agency_type``, or statistics).

    Raises :class:`Forbidden` when the user's agency may not edit the
    case, :class:`RuleBroken` when that consent is already in force.
    """
    if not policy.can(user, policy.Action.EDIT_CASE, case):
        raise Forbidden("only the lead agency or the committee records consent")
    if scope == ConsentScope.SHARING and agency_type not in SHAREABLE_TYPES:
        raise RuleBroken(_("Choose the type of agency the consent covers."))
    if scope != ConsentScope.SHARING:
        agency_type = None
    if any(c.scope == scope and c.agency_type == agency_type for c in consents_in_force(case)):
        raise RuleBroken(_("This consent is already recorded."))
    consent = ConsentRecord(scope=scope, agency_type=agency_type, recorded_by_id=user.id,
                            recorded_at=now or utcnow())
    case.consents.append(consent)
    db.session.flush()
    add_event(case, TimelineKind.CONSENT_RECORDED, user, at=consent.recorded_at)
    record(AuditAction.CONSENT_RECORDED, user, "consent", consent.id)
    return consent


def withdraw_consent(user: User, consent: ConsentRecord, now: datetime | None = None) -> None:
    """Withdraw a consent in force (the survivor changed their mind)."""
    case = db.session.get(Case, consent.case_id)
    if not policy.can(user, policy.Action.EDIT_CASE, case):
        raise Forbidden("only the lead agency or the committee withdraws consent")
    if not consent.in_force:
        raise RuleBroken(_("This consent was already withdrawn."))
    consent.withdrawn_at = now or utcnow()
    consent.withdrawn_by_id = user.id
    add_event(case, TimelineKind.CONSENT_WITHDRAWN, user, at=consent.withdrawn_at)
    record(AuditAction.CONSENT_WITHDRAWN, user, "consent", consent.id)


def get_consent_or_404(user: User, consent_id: int) -> ConsentRecord:
    """The consent record if its case is visible to ``user``; 404 otherwise."""
    consent = db.session.scalar(
        sa.select(ConsentRecord).join(Case, Case.id == ConsentRecord.case_id)
        .where(ConsentRecord.id == consent_id, policy.case_visibility_per_row(user)))
    if consent is None:
        raise NotFound()
    return consent
