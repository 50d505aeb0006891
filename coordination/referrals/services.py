"""Referral services: sending (with the consent rule), answering, the inboxes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from coordination import keyset, policy
from coordination.accounts.models import User
from coordination.agencies.models import Agency
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.cases.models import Case, RiskLevel, TimelineKind
from coordination.cases.serving import serving_agencies
from coordination.cases.timeline import add_event, text
from coordination.consent.services import record_override, require_cover
from coordination.counts import Capped, capped_count
from coordination.extensions import db
from coordination.models_base import utcnow
from coordination.notifications.models import NotificationKind
from coordination.notifications.services import notify
from coordination.public_ids import decode
from coordination.referrals.models import (
    FINAL_STATUSES,
    LegalGround,
    Priority,
    Referral,
    ReferralService,
    ReferralStatus,
)
from coordination.refusals import Forbidden, NotFound, RuleBroken
from coordination.settings.services import get_setting
from coordination.workflow import check_version


def answer_hours(priority: Priority) -> int:
    """Hours the receiver has to answer a referral of ``priority`` (a setting)."""
    return get_setting(f"referral_deadline_hours_{priority.value}")


def response_deadline(priority: Priority, sent_at: datetime) -> datetime:
    """When an answer is due: the priority's deadline setting after sending."""
    return sent_at + timedelta(hours=answer_hours(priority))


def referral_targets(user: User, case: Case) -> list[Agency]:
    """Agencies ``user`` may refer ``case`` to: those serving its place, not their own."""
    return [agency for agency in serving_agencies(case) if agency.id != user.agency_id]


#: Services that protect the survivor's safety now: urgent unless chosen otherwise.
URGENT_SERVICES = frozenset({ReferralService.POLICE_PROTECTION, ReferralService.SHELTER,
                             ReferralService.MEDICAL})


def derived_priority(service: ReferralService, risk: RiskLevel | None,
                     chosen: Priority | None = None) -> Priority:
    """The priority a referral is saved with: Urgent on a high-risk case
    whatever was chosen; else what the sender chose; else Urgent for the
    services in :data:`URGENT_SERVICES` and Normal for the others."""
    if risk == RiskLevel.HIGH:
        return Priority.URGENT
    if chosen is not None:
        return chosen
    return Priority.URGENT if service in URGENT_SERVICES else Priority.NORMAL


def send_referral(
    user: User,
    case: Case,
    to_agency_id: int,
    service: ReferralService,
    priority: Priority | None,
    legal_ground: LegalGround | None = None,
    now: datetime | None = None,
) -> Referral:
    """Refer ``case`` to another agency.

    Refused (:class:`RuleBroken`) unless the survivor's consent covers the
    receiving agency's type or a legal ground is recorded; a legal-ground
    override is audited. A high-risk case makes every new referral urgent.
    """
    if not policy.can(user, policy.Action.REFER, case):
        raise Forbidden("this user may not refer this case")
    target = next((a for a in referral_targets(user, case) if a.id == to_agency_id), None)
    if target is None:
        raise RuleBroken(_("Choose an agency from the list."))
    legal_ground = require_cover(case, target, legal_ground)
    priority = derived_priority(service, case.risk_level, priority)
    now = now or utcnow()
    referral = Referral(
        from_agency_id=user.agency_id, to_agency_id=target.id, service=service,
        priority=priority, legal_ground=legal_ground,
        sent_by_id=user.id, sent_at=now, respond_by=response_deadline(priority, now),
    )
    case.referrals.append(referral)
    db.session.flush()
    add_event(case, TimelineKind.REFERRAL_SENT, user, at=now, related_agency_id=target.id)
    notify(target.id, NotificationKind.REFERRAL_RECEIVED, case.id, user.agency_id, at=now)
    record(AuditAction.REFERRAL_SENT, user, "referral", referral.id)
    if referral.legal_ground is not None:
        record_override(user, "referral", referral.id)
    return referral


@dataclass(frozen=True)
class Transition:
    action: policy.Action
    allowed_from: frozenset[ReferralStatus]
    to: ReferralStatus
    timeline: TimelineKind


_OPEN = frozenset({ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS})
TRANSITIONS = {
    "accept": Transition(policy.Action.ANSWER_REFERRAL, frozenset({ReferralStatus.SENT}),
                         ReferralStatus.ACCEPTED, TimelineKind.REFERRAL_ACCEPTED),
    "decline": Transition(policy.Action.ANSWER_REFERRAL, frozenset({ReferralStatus.SENT}),
                          ReferralStatus.DECLINED, TimelineKind.REFERRAL_DECLINED),
    "start": Transition(policy.Action.ANSWER_REFERRAL, frozenset({ReferralStatus.ACCEPTED}),
                        ReferralStatus.IN_PROGRESS, TimelineKind.REFERRAL_STARTED),
    "complete": Transition(policy.Action.ANSWER_REFERRAL,
                           frozenset({ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS}),
                           ReferralStatus.COMPLETED, TimelineKind.REFERRAL_COMPLETED),
    "cancel": Transition(policy.Action.CANCEL_REFERRAL, _OPEN, ReferralStatus.CANCELLED,
                         TimelineKind.REFERRAL_CANCELLED),
    "revoke": Transition(policy.Action.REVOKE_REFERRAL, _OPEN, ReferralStatus.REVOKED,
                         TimelineKind.REFERRAL_REVOKED),
}


def describe(referral: Referral) -> str:
    """The referral's state in words, for messages."""
    return _("the referral to %(agency)s is now “%(status)s”",
             agency=referral.to_agency.name,
             status=referral.status.label)


def move_referral(
    user: User,
    referral: Referral,
    step: str,
    expected_version: int | None,
    note: str | None = None,
    now: datetime | None = None,
) -> Referral:
    """Take one step of the referral's life cycle (see :data:`TRANSITIONS`).

    ``decline``, ``cancel`` and ``revoke`` need a reason and ``complete``
    an outcome in ``note``; the reason of an ending goes into the timeline.
    Raises :class:`Forbidden` when the step is not the user's agency's
    to take, :class:`Stale` when the page was stale, and
    :class:`RuleBroken` when the step does not follow from the status.
    """
    transition = TRANSITIONS.get(step)
    if transition is None:
        raise RuleBroken(_("Unknown step."))
    if not policy.can(user, transition.action, referral):
        raise Forbidden(f"{step} is not for this user's agency")
    check_version(referral, expected_version, describe(referral))
    if referral.status not in transition.allowed_from:
        raise RuleBroken(_("This step is not possible now: %(what)s.",
                              what=describe(referral)))
    note = (note or "").strip() or None
    if step == "decline" and not note:
        raise RuleBroken(_("Give the reason for declining."))
    if step in ("cancel", "revoke") and not note:
        # The receiving agency stops its work: it (and the case's other
        # readers) must be able to see why, in the timeline.
        raise RuleBroken(_("Give the reason for ending the referral."))
    if step == "complete" and not note:
        raise RuleBroken(_("Describe the outcome."))
    now = now or utcnow()
    if referral.status == ReferralStatus.SENT and step in ("accept", "decline"):
        referral.answered_at = now
        referral.answered_by_id = user.id
        notify(referral.from_agency_id, NotificationKind.REFERRAL_ANSWERED, referral.case_id,
               referral.to_agency_id, at=now)
    referral.status = transition.to
    if step == "decline":
        referral.decline_reason = note
    if step == "complete":
        referral.outcome = note
    if transition.to in FINAL_STATUSES:
        referral.closed_at = now
    add_event(referral.case, transition.timeline, user, at=now,
              related_agency_id=referral.to_agency_id,
              detail=text("reason", note) if step in ("decline", "cancel", "revoke") else None)
    record(AuditAction.REFERRAL_CHANGED, user, "referral", referral.id)
    db.session.flush()
    return referral


def get_referral_or_404(user: User, referral_id: int) -> Referral:
    """The referral if its case is visible to ``user`` and they read it
    (``policy.reads_item``: a former party, its own); 404 otherwise."""
    query = (
        sa.select(Referral)
        .join(Referral.case)
        .where(Referral.id == referral_id, policy.case_visibility_per_row(user))
    )
    referral = db.session.scalar(query)
    if referral is None or not policy.reads_item(user, referral):
        raise NotFound()
    return referral


# --- the inbox ------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    """One list of the inbox: whose referrals (``side``: the receiving or the
    sending agency) in which statuses, and who "mine" means in it."""

    key: str
    side: str  #: "to" or "from"
    statuses: tuple[ReferralStatus, ...]
    #: The column naming the user in "mine" (None: the list has no person yet).
    mine: str | None
    #: Whether the answer's deadline still runs (the due filters apply).
    due: bool


#: The inbox's lists, in the order of its tabs. Every list is in the order of
#: the answer's deadline, earliest first (overdue on top), then the id.
BOXES = {
    "incoming": Box("incoming", "to", (ReferralStatus.SENT,), None, True),
    "outgoing": Box("outgoing", "from", (ReferralStatus.SENT,), "sent_by_id", True),
    "in_progress": Box("in_progress", "to", (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS),
                       "answered_by_id", False),
}
#: The due filters: answer overdue, or due before the end of this week.
DUE_FILTERS = ("overdue", "week")


@dataclass(frozen=True)
class InboxFilters:
    box: str = "incoming"
    mine: bool = False
    due: str = ""

    @classmethod
    def from_args(cls, args) -> InboxFilters:
        """The filters of a query string; anything unknown is left out."""
        box = args.get("box", "")
        box = box if box in BOXES else "incoming"
        due = args.get("due", "")
        return cls(box=box, mine=args.get("who") == "mine" and BOXES[box].mine is not None,
                   due=due if due in DUE_FILTERS and BOXES[box].due else "")

    def args(self, **changes) -> dict:
        """The query string of these filters (with ``changes``), defaults left out."""
        values = {"box": self.box, "who": "mine" if self.mine else "", "due": self.due,
                  **changes}
        return {key: value for key, value in values.items()
                if value and not (key == "box" and value == "incoming")}


def _box_parts(user: User, box: Box, filters: InboxFilters, now: datetime,
               week_end: datetime) -> list[sa.Select]:
    """One ``SELECT`` of (deadline, id) per status of ``box``, each answered in
    order by an index on (agency or person, status, deadline, id)."""
    agency = Referral.to_agency_id if box.side == "to" else Referral.from_agency_id
    conditions = [agency == user.agency_id]
    if filters.mine and box.mine:
        conditions.append(getattr(Referral, box.mine) == user.id)
    if filters.due == "overdue":
        conditions.append(Referral.respond_by < now)
    elif filters.due == "week":
        conditions.extend((Referral.respond_by >= now, Referral.respond_by < week_end))
    return [sa.select(Referral.respond_by, Referral.id)
            .where(*conditions, Referral.status == status)
            .order_by(Referral.respond_by, Referral.id)
            for status in box.statuses]


@dataclass
class InboxPage:
    filters: InboxFilters
    page: keyset.KeysetPage
    #: Each list's count under the same filters, stopped at the cap.
    counts: dict[str, Capped]


def inbox_page(user: User, filters: InboxFilters, after_token: str | None, now: datetime,
               week_end: datetime, size: int | None = None) -> InboxPage:
    """One page of one list of the user's agency's referral inbox.

    The referrals of the lists are the agency's by involvement (received
    and not declined, or sent), so every row's case is the agency's to see.
    The page starts after the referral ``after_token`` names (a position
    only: a token of another agency's referral moves nothing into view)."""
    size = size or keyset.PAGE_SIZE
    box = BOXES[filters.box]
    parts = _box_parts(user, box, filters, now, week_end)
    last_id = decode("referral", after_token) if after_token else None
    if last_id is not None:
        position = db.session.execute(sa.select(Referral.respond_by, Referral.id)
                                      .where(Referral.id == last_id)).first()
        if position is not None:
            parts = [part.where(keyset.after((Referral.respond_by, Referral.id), position))
                     for part in parts]
    ids = keyset.first_rows(parts, ("respond_by", "id"), size + 1)
    rows = {r.id: r for r in db.session.scalars(
        sa.select(Referral).where(Referral.id.in_(ids[:size])).options(
            joinedload(Referral.case), joinedload(Referral.from_agency),
            joinedload(Referral.to_agency)))}
    shown = [rows[i] for i in ids[:size] if i in rows]
    counts = {key: keyset.capped_count_of(_box_parts(
        user, other, InboxFilters(key, filters.mine and other.mine is not None,
                                  filters.due if other.due else ""), now, week_end))
        for key, other in BOXES.items()}
    return InboxPage(filters, keyset.KeysetPage(shown, shown[-1] if len(ids) > size else None),
                     counts)


def awaiting_answer(user: User, limit: int) -> tuple[list[Referral], int]:
    """The first ``limit`` referrals waiting for the user's agency's answer,
    earliest deadline first, and how many there are."""
    waiting = (Referral.to_agency_id == user.agency_id, Referral.status == ReferralStatus.SENT)
    rows = db.session.scalars(
        sa.select(Referral).where(*waiting).order_by(Referral.respond_by).limit(limit)
        .options(joinedload(Referral.case), joinedload(Referral.from_agency),
                 joinedload(Referral.to_agency)))
    return list(rows), awaiting_answer_count(user.agency_id)


def awaiting_answer_count(agency_id: int) -> int:
    """Referrals waiting for the agency's answer (the navigation's badge and
    the home panel), counted up to :data:`coordination.counts.PANEL_CAP`."""
    return capped_count(sa.select(Referral.id).where(
        Referral.to_agency_id == agency_id, Referral.status == ReferralStatus.SENT))
