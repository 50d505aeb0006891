"""Recording and withdrawing the survivor's consent."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from coordination import policy
from coordination.accounts.models import User
from coordination.agencies.models import Agency, AgencyType
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.cases.models import Case, TimelineKind
from coordination.cases.timeline import add_event
from coordination.consent.models import SHAREABLE_TYPES, ConsentRecord, ConsentScope
from coordination.extensions import db
from coordination.models_base import utcnow
from coordination.referrals.models import LegalGround
from coordination.refusals import Forbidden, NotFound, RuleBroken


def consents_in_force(case: Case) -> list[ConsentRecord]:
    """The case's consents that have not been withdrawn."""
    return [c for c in case.consents if c.in_force]


@dataclass(frozen=True)
class ConsentCover:
    """What a form that gives work on a case to an agency says beforehand
    (a referral, a follow-up, a committee's decision): the agency types the
    survivor's sharing consent covers, and which of the agencies offered
    will not see her contact details."""

    #: In the order of :data:`SHAREABLE_TYPES`.
    covered: list[AgencyType]
    #: Ids of the offered agencies the policy does not show the restricted
    #: fields to (``policy.agency_sees_restricted``).
    without_contacts: frozenset[int]


def consent_cover(case: Case, agencies=()) -> ConsentCover:
    """The consent's cover on ``case``, and which of ``agencies`` will not
    see the contact details: the policy answers, for each as the case
    stands now (a follow-up or a decision alone does not show them)."""
    covered = {c.agency_type for c in consents_in_force(case) if c.scope == ConsentScope.SHARING}
    return ConsentCover(
        covered=[t for t in SHAREABLE_TYPES if t in covered],
        without_contacts=frozenset(
            a.id for a in agencies if not policy.agency_sees_restricted(a, case)))


def covers(case: Case, agency_type: AgencyType) -> bool:
    """Whether the survivor's consent covers sharing with ``agency_type``."""
    return any(
        c.scope == ConsentScope.SHARING and c.agency_type == agency_type
        for c in consents_in_force(case)
    )


def is_covered(case: Case, agency: Agency) -> bool:
    """Whether ``agency`` may become involved in ``case`` without a legal ground."""
    return policy.holds_case(agency, case) or covers(case, agency.type)


def require_cover(case: Case, agency: Agency, legal_ground: LegalGround | None
                  ) -> LegalGround | None:
    """The one consent rule for every way an agency becomes involved in a case
    (a referral, a follow-up it owns, a programme it runs, a meeting's
    decision, anything added later).

    An agency that already holds the case (``policy.holds_case``) needs
    nothing more; otherwise the survivor's consent must cover its type, or a
    legal ground must be given. Returns the legal ground to store (None when
    consent or standing covers it); the caller audits a returned ground with
    :func:`record_override`. Raises :class:`RuleBroken` when nothing covers it.
    """
    if is_covered(case, agency):
        return None
    if legal_ground is None:
        raise RuleBroken(_(
            "The survivor has not consented to sharing with %(type)s. Record the consent "
            "first, or choose the legal ground that allows it without consent.",
            type=agency.type.label))
    return legal_ground


def record_override(user: User, object_type: str, object_id: int) -> None:
    """Audit that an agency was involved on a legal ground, without consent."""
    record(AuditAction.CONSENT_OVERRIDDEN, user, object_type, object_id)


def covered(consents) -> str:
    """A timeline detail line naming what ``consents`` cover (agency types,
    statistics), put into the reader's words when the timeline is drawn."""
    return "covers: " + ",".join(
        c.agency_type.value if c.scope == ConsentScope.SHARING else c.scope.value
        for c in consents)


def record_consent(
    user: User, case: Case, scope: ConsentScope, agency_type: AgencyType | None = None,
    now: datetime | None = None, timeline: bool = True,
) -> ConsentRecord:
    """Record consent for one scope (sharing with ``agency_type``, or statistics).
    With ``timeline`` false the caller writes the timeline's line (one for
    several consents recorded at once).

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
    if timeline:
        add_event(case, TimelineKind.CONSENT_RECORDED, user, at=consent.recorded_at,
                  detail=covered([consent]))
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
    add_event(case, TimelineKind.CONSENT_WITHDRAWN, user, at=consent.withdrawn_at,
              detail=covered([consent]))
    record(AuditAction.CONSENT_WITHDRAWN, user, "consent", consent.id)


def get_consent_or_404(user: User, consent_id: int) -> ConsentRecord:
    """The consent record if its case is visible to ``user``; 404 otherwise."""
    consent = db.session.scalar(
        sa.select(ConsentRecord).join(Case, Case.id == ConsentRecord.case_id)
        .where(ConsentRecord.id == consent_id, policy.case_visibility_per_row(user)))
    if consent is None:
        raise NotFound()
    return consent


def record_consents(user: User, case: Case, agency_types: list[AgencyType], statistics: bool,
                    now: datetime | None = None) -> list[ConsentRecord]:
    """Record in one step the consents the survivor gave: sharing with each of
    ``agency_types`` and, if ``statistics``, counting in statistics. Those
    already in force are left as they are; nothing new is refused."""
    wanted = [(ConsentScope.SHARING, t) for t in dict.fromkeys(agency_types)]
    if statistics:
        wanted.append((ConsentScope.STATISTICS, None))
    if not wanted:
        raise RuleBroken(_("Choose at least one type of agency, or statistics."))
    in_force = {(c.scope, c.agency_type) for c in consents_in_force(case)}
    new = [pair for pair in wanted if pair not in in_force]
    if not new:
        raise RuleBroken(_("This consent is already recorded."))
    now = now or utcnow()
    consents = [record_consent(user, case, scope, agency_type, now, timeline=False)
                for scope, agency_type in new]
    # One line for what was given at once, naming it: "Consent recorded —
    # covers: Police, Social protection" rather than the same words three times.
    add_event(case, TimelineKind.CONSENT_RECORDED, user, at=now, detail=covered(consents))
    return consents
