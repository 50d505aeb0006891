"""Follow-up services: the action plan of a case and each agency's to-do list."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from coordination import keyset, policy
from coordination.accounts.models import User
from coordination.agencies.models import Agency, AgencyType
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.cases.models import Case, CaseStatus, RiskLevel, TimelineKind
from coordination.cases.serving import serving_agencies
from coordination.cases.timeline import add_event, text
from coordination.consent.services import record_override, require_cover
from coordination.counts import Capped, capped_count
from coordination.extensions import db
from coordination.followups.models import FollowUp, FollowUpStatus
from coordination.models_base import utcnow
from coordination.notifications.models import NotificationKind
from coordination.notifications.services import notify
from coordination.public_ids import decode
from coordination.referrals.models import LegalGround
from coordination.refusals import Forbidden, NotFound, RuleBroken
from coordination.workflow import check_version


def owner_candidates(case: Case) -> list[Agency]:
    """Agencies that may own a follow-up on ``case`` (those serving its place)."""
    return serving_agencies(case)


def owner_people(agency_ids: list[int]) -> list[User]:
    """Active users of these agencies, who may be named as a follow-up's owner."""
    query = sa.select(User).where(User.agency_id.in_(agency_ids), User.active.is_(True))
    return list(db.session.scalars(query.order_by(User.full_name)))


@dataclass
class FollowUpData:
    action: str
    owner_agency_id: int
    due_on: date
    owner_user_id: int | None = None
    #: The committee meeting that decided it (its service checks the meeting).
    meeting_id: int | None = None
    #: Needed when the survivor's consent does not cover the owner's type.
    legal_ground: LegalGround | None = None


def add_follow_up(
    user: User, case: Case, data: FollowUpData, now: datetime | None = None
) -> FollowUp:
    """Add one action to the case's plan; its owner agency becomes involved.

    The consent rule is the referrals' (``require_cover``): an owner that does
    not hold the case yet needs consent for its type or a legal ground, and
    the override is audited. A follow-up the user's agency gives itself is
    *self-assigned*: it grants no access of its own (``policy``), so it
    cannot keep a case open to an agency after its referral is declined.

    Raises :class:`Forbidden` when the user may not add follow-ups to
    the case, :class:`RuleBroken` when the data breaks a rule.
    """
    if not policy.can(user, policy.Action.ADD_FOLLOW_UP, case):
        raise Forbidden("this user may not add follow-ups to this case")
    now = now or utcnow()
    owner = next((a for a in owner_candidates(case) if a.id == data.owner_agency_id), None)
    if owner is None:
        raise RuleBroken(_("Choose an agency from the list."))
    if data.owner_user_id is not None and data.owner_user_id not in {
            u.id for u in owner_people([owner.id])}:
        raise RuleBroken(_("The person must work at the owning agency."))
    if data.due_on < now.date():
        raise RuleBroken(_("The due date cannot be in the past."))
    if data.due_on > latest_due_date(now.date()):
        raise RuleBroken(_("The due date is too far ahead."))
    action = data.action.strip()
    if not action:
        raise RuleBroken(_("Describe the action."))
    legal_ground = require_cover(case, owner, data.legal_ground)
    follow_up = FollowUp(action=action, owner_agency_id=owner.id,
                         owner_user_id=data.owner_user_id, due_on=data.due_on,
                         meeting_id=data.meeting_id, created_by_id=user.id, created_at=now,
                         self_assigned=owner.id == user.agency_id, legal_ground=legal_ground)
    case.follow_ups.append(follow_up)
    db.session.flush()
    add_event(case, TimelineKind.FOLLOW_UP_ADDED, user, at=now, related_agency_id=owner.id,
              detail=text("action", follow_up.action))
    if owner.id != user.agency_id:
        notify(owner.id, NotificationKind.FOLLOW_UP_ASSIGNED, case.id, user.agency_id, at=now)
    record(AuditAction.FOLLOW_UP_ADDED, user, "follow_up", follow_up.id)
    if legal_ground is not None:
        record_override(user, "follow_up", follow_up.id)
    return follow_up


def latest_due_date(today: date) -> date:
    """A follow-up falls due by the end of the fifth year from now; a later
    date is a typing error (year 9999), not a plan."""
    return date(today.year + 5, 12, 31)


def describe(follow_up: FollowUp) -> str:
    """The follow-up's state in words, for messages."""
    return _("the follow-up is now “%(status)s”",
             status=follow_up.status.label)


def close_follow_up(
    user: User,
    follow_up: FollowUp,
    done: bool,
    expected_version: int | None,
    note: str | None,
    now: datetime | None = None,
) -> FollowUp:
    """Mark the follow-up done (its owner, with a note) or cancel it (the lead)."""
    action = policy.Action.COMPLETE_FOLLOW_UP if done else policy.Action.CANCEL_FOLLOW_UP
    check_version(follow_up, expected_version, describe(follow_up))
    if follow_up.status != FollowUpStatus.OPEN:
        raise RuleBroken(_("This step is not possible now: %(what)s.",
                              what=describe(follow_up)))
    if not policy.can(user, action, follow_up):
        raise Forbidden("not this user's agency's follow-up to close")
    note = (note or "").strip() or None
    if note is None:
        raise RuleBroken(_("Say what was done.") if done else _("Give the reason."))
    now = now or utcnow()
    follow_up.status = FollowUpStatus.DONE if done else FollowUpStatus.CANCELLED
    follow_up.closing_note = note
    follow_up.closed_by_id = user.id
    follow_up.closed_at = now
    kind = TimelineKind.FOLLOW_UP_DONE if done else TimelineKind.FOLLOW_UP_CANCELLED
    # Which follow-up, and what was done or why it was dropped: the case's
    # timeline otherwise says "Follow-up done" alike for every one.
    add_event(follow_up.case, kind, user, at=now, related_agency_id=follow_up.owner_agency_id,
              detail="\n".join((text("action", follow_up.action),
                                 text("outcome" if done else "reason", note))))
    record(AuditAction.FOLLOW_UP_CLOSED, user, "follow_up", follow_up.id)
    db.session.flush()
    return follow_up


def get_follow_up_or_404(user: User, follow_up_id: int) -> FollowUp:
    """The follow-up if its case is visible to ``user``; 404 otherwise."""
    query = (
        sa.select(FollowUp).join(FollowUp.case)
        .where(FollowUp.id == follow_up_id, policy.case_visibility_per_row(user))
    )
    follow_up = db.session.scalar(query)
    if follow_up is None:
        raise NotFound()
    return follow_up


#: The due filters of the list: overdue, or due from today to the end of this week.
DUE_FILTERS = ("overdue", "week")


@dataclass(frozen=True)
class FollowUpFilters:
    mine: bool = False  #: only those naming the user as the person responsible
    due: str = ""

    @classmethod
    def from_args(cls, args) -> FollowUpFilters:
        """The filters of a query string; anything unknown is left out."""
        due = args.get("due", "")
        return cls(mine=args.get("who") == "mine", due=due if due in DUE_FILTERS else "")

    def args(self, **changes) -> dict:
        """The query string of these filters (with ``changes``), defaults left out."""
        values = {"who": "mine" if self.mine else "", "due": self.due, **changes}
        return {key: value for key, value in values.items() if value}


def _list_query(user: User, filters: FollowUpFilters, today: date, week_end: date) -> sa.Select:
    """(due date, id) of the agency's open follow-ups under ``filters``, read
    in order from the index on (owner agency or person, status, due date, id);
    each row's case is checked against the user's case-access rows (a
    self-assigned follow-up grants no access of its own)."""
    conditions = [FollowUp.owner_agency_id == user.agency_id,
                  FollowUp.status == FollowUpStatus.OPEN, policy.case_visibility(user)]
    if filters.mine:
        conditions.append(FollowUp.owner_user_id == user.id)
    if filters.due == "overdue":
        conditions.append(FollowUp.due_on < today)
    elif filters.due == "week":
        conditions.extend((FollowUp.due_on >= today, FollowUp.due_on <= week_end))
    return (sa.select(FollowUp.due_on, FollowUp.id).join(FollowUp.case).where(*conditions)
            .order_by(FollowUp.due_on, FollowUp.id))


@dataclass
class FollowUpPage:
    filters: FollowUpFilters
    page: keyset.KeysetPage
    count: Capped


def follow_up_page(user: User, filters: FollowUpFilters, after_token: str | None,
                   today: date, week_end: date, size: int | None = None) -> FollowUpPage:
    """One page of the open follow-ups the user's agency owns, overdue
    (earliest due) first, starting after the follow-up ``after_token``
    names, and their count stopped at the cap."""
    size = size or keyset.PAGE_SIZE
    query = _list_query(user, filters, today, week_end)
    page_query = query
    last_id = decode("follow_up", after_token) if after_token else None
    if last_id is not None:
        position = db.session.execute(sa.select(FollowUp.due_on, FollowUp.id)
                                      .where(FollowUp.id == last_id)).first()
        if position is not None:
            page_query = query.where(keyset.after((FollowUp.due_on, FollowUp.id), position))
    ids = keyset.first_rows([page_query], ("due_on", "id"), size + 1)
    rows = {f.id: f for f in db.session.scalars(
        sa.select(FollowUp).where(FollowUp.id.in_(ids[:size])).options(
            joinedload(FollowUp.case), joinedload(FollowUp.owner_user)))}
    shown = [rows[i] for i in ids[:size] if i in rows]
    return FollowUpPage(filters, keyset.KeysetPage(shown, shown[-1] if len(ids) > size else None),
                        keyset.capped_count_of([query]))


def open_count(agency_id: int) -> int:
    """Open follow-ups owned by the agency (the navigation's badge), counted
    up to :data:`coordination.counts.PANEL_CAP`."""
    return capped_count(sa.select(FollowUp.id).where(
        FollowUp.owner_agency_id == agency_id, FollowUp.status == FollowUpStatus.OPEN))


#: How far ahead the home page looks for follow-ups falling due.
DUE_SOON_DAYS = 7


def due_soon(user: User, today: date, limit: int) -> tuple[list[FollowUp], int]:
    """The user's agency's open follow-ups due within :data:`DUE_SOON_DAYS`
    (overdue ones first, earliest due first): the first ``limit`` and how many.

    Owned by the agency is what makes the case visible (the policy's
    involvement rule), so no further case filter is needed."""
    waiting = (FollowUp.owner_agency_id == user.agency_id,
               FollowUp.status == FollowUpStatus.OPEN,
               FollowUp.due_on <= today + timedelta(days=DUE_SOON_DAYS))
    rows = db.session.scalars(
        sa.select(FollowUp).where(*waiting).order_by(FollowUp.due_on, FollowUp.id)
        .limit(limit).options(joinedload(FollowUp.case), joinedload(FollowUp.owner_user)))
    return list(rows), capped_count(sa.select(FollowUp.id).where(*waiting))


def _without_plan(user: User):
    """Conditions on :func:`policy.visible_cases`: high risk, not closed, no
    open follow-up, and this agency's to plan (it leads the case, or it is
    the committee that coordinates the territory's cases). Risk and status
    are read from the agency's access rows (their risk index), so only the
    agency's high-risk cases are looked at."""
    columns = policy.case_list_columns(user)
    open_plan = sa.select(FollowUp.id).where(
        FollowUp.case_id == Case.id, FollowUp.status == FollowUpStatus.OPEN
    ).correlate(Case).exists()
    conditions = [columns.risk_level == RiskLevel.HIGH, columns.status != CaseStatus.CLOSED,
                  ~open_plan]
    if user.agency.type != AgencyType.COMMITTEE:
        conditions.append(Case.lead_agency_id == user.agency_id)
    return conditions


def high_risk_without_plan(user: User, limit: int) -> tuple[list[Case], int]:
    """High-risk open cases with no open follow-up that the user's agency
    should plan for, oldest first (they have waited longest), and how many.

    Read from the agency's visible cases (its case-access rows), never from
    every high-risk case of the country."""
    columns = policy.case_list_columns(user)
    query = policy.visible_cases(user).where(*_without_plan(user))
    rows = db.session.scalars(
        query.order_by(columns.created_at, columns.case_id).limit(limit))
    return list(rows), capped_count(query.with_only_columns(Case.id))


def undo_window_open(follow_up: FollowUp, now: datetime) -> bool:
    """Whether a "done" may still be undone: within ``FOLLOW_UP_UNDO_MINUTES``."""
    minutes = current_app.config["FOLLOW_UP_UNDO_MINUTES"]
    return (follow_up.status == FollowUpStatus.DONE and follow_up.closed_at is not None
            and now - follow_up.closed_at <= timedelta(minutes=minutes))


def undo_done(user: User, follow_up: FollowUp, expected_version: int | None,
              now: datetime | None = None) -> FollowUp:
    """Reopen a follow-up its closer marked done by mistake, within the window.

    Never a cancellation (the lead's decision) and never late: by then the
    other agencies may have acted on "done"."""
    check_version(follow_up, expected_version, describe(follow_up))
    if not policy.can(user, policy.Action.UNDO_FOLLOW_UP_DONE, follow_up):
        raise Forbidden("only who marked it done may undo it")
    now = now or utcnow()
    if not undo_window_open(follow_up, now):
        raise RuleBroken(_("It is too late to undo: %(what)s.", what=describe(follow_up)))
    follow_up.status = FollowUpStatus.OPEN
    follow_up.closing_note = None
    follow_up.closed_by_id = None
    follow_up.closed_at = None
    add_event(follow_up.case, TimelineKind.FOLLOW_UP_REOPENED, user, at=now,
              related_agency_id=follow_up.owner_agency_id,
              detail=text("action", follow_up.action))
    record(AuditAction.FOLLOW_UP_REOPENED, user, "follow_up", follow_up.id)
    db.session.flush()
    return follow_up
