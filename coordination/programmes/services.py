"""Referring the alleged perpetrator to a correctional programme, and its course."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from coordination import policy
from coordination.accounts.models import User
from coordination.agencies.models import Agency, AgencyType
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.cases.models import Case, TimelineKind
from coordination.cases.serving import serving_agencies
from coordination.cases.timeline import add_event
from coordination.consent.services import record_override, require_cover
from coordination.extensions import db
from coordination.models_base import utcnow
from coordination.programmes.models import CorrectionalProgramme, ProgrammeStatus
from coordination.referrals.models import LegalGround
from coordination.refusals import Forbidden, NotFound, RuleBroken
from coordination.workflow import check_version

#: Agency types that run correctional programmes.
PROVIDER_TYPES = (AgencyType.SOCIAL, AgencyType.CRISIS_CENTRE)

#: step -> (statuses it may start from, status it leads to, timeline kind)
STEPS = {
    "start": ({ProgrammeStatus.REFERRED}, ProgrammeStatus.STARTED,
              TimelineKind.PROGRAMME_STARTED),
    "complete": ({ProgrammeStatus.STARTED}, ProgrammeStatus.COMPLETED,
                 TimelineKind.PROGRAMME_COMPLETED),
    "drop_out": ({ProgrammeStatus.REFERRED, ProgrammeStatus.STARTED},
                 ProgrammeStatus.DROPPED_OUT, TimelineKind.PROGRAMME_DROPPED_OUT),
}


def providers(case: Case) -> list[Agency]:
    """Agencies serving the case's place that run programmes."""
    return [agency for agency in serving_agencies(case) if agency.type in PROVIDER_TYPES]


def refer(user: User, case: Case, provider_id: int, now: datetime | None = None,
          legal_ground: LegalGround | None = None) -> CorrectionalProgramme:
    """Refer the case's alleged perpetrator to a provider's programme.

    The provider becomes involved: the consent rule of referrals applies
    (``require_cover``), and an override is audited.
    """
    if not policy.can(user, policy.Action.REFER, case):
        raise Forbidden("this user may not refer on this case")
    provider = next((a for a in providers(case) if a.id == provider_id), None)
    if provider is None:
        raise RuleBroken(_("Choose an agency from the list."))
    if any(p.status in (ProgrammeStatus.REFERRED, ProgrammeStatus.STARTED)
           for p in case.programmes):
        raise RuleBroken(_("A programme is already under way on this case."))
    legal_ground = require_cover(case, provider, legal_ground)
    now = now or utcnow()
    programme = CorrectionalProgramme(provider_agency_id=provider.id, referred_at=now,
                                      referred_by_id=user.id, legal_ground=legal_ground)
    case.programmes.append(programme)
    db.session.flush()
    add_event(case, TimelineKind.PROGRAMME_REFERRED, user, at=now,
              related_agency_id=provider.id)
    record(AuditAction.PROGRAMME_CHANGED, user, "programme", programme.id)
    if legal_ground is not None:
        record_override(user, "programme", programme.id)
    return programme


def move(user: User, programme: CorrectionalProgramme, step: str, on: date,
         expected_version: int | None, now: datetime | None = None) -> CorrectionalProgramme:
    """Record the start, completion or drop-out (the provider only)."""
    if step not in STEPS:
        raise RuleBroken(_("Unknown step."))
    if not policy.can(user, policy.Action.UPDATE_PROGRAMME, programme):
        raise Forbidden("only the provider records the programme's course")
    status_now = programme.status.label
    check_version(programme, expected_version,
                  _("the programme is now “%(status)s”", status=status_now))
    allowed_from, to, kind = STEPS[step]
    if programme.status not in allowed_from:
        raise RuleBroken(_("This step is not possible now: %(what)s.", what=status_now))
    now = now or utcnow()
    if on > now.date() or on < programme.referred_at.date():
        raise RuleBroken(_("The date must lie between the referral and today."))
    if step == "start":
        programme.started_on = on
    else:
        programme.ended_on = on
    programme.status = to
    add_event(programme.case, kind, user, at=now)
    record(AuditAction.PROGRAMME_CHANGED, user, "programme", programme.id)
    db.session.flush()
    return programme


def get_programme_or_404(user: User, programme_id: int) -> CorrectionalProgramme:
    """The programme if its case is visible to ``user``; 404 otherwise."""
    programme = db.session.scalar(
        sa.select(CorrectionalProgramme).join(CorrectionalProgramme.case)
        .where(CorrectionalProgramme.id == programme_id, policy.case_visibility_per_row(user)))
    if programme is None:
        raise NotFound()
    return programme
