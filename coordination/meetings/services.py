"""Committee meeting services: scheduling, the agenda, attendance, decisions.

A committee's head schedules, reschedules and cancels its meetings; any of
its members prepares the agenda, records who attended and the decisions, and
marks the meeting held (``policy.Action``). Decisions are follow-ups created
through :func:`coordination.followups.services.add_follow_up`, so the same
rules apply to them as to any follow-up.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import format_datetime, to_user_timezone
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import flag_modified

from coordination import policy
from coordination.accounts.models import User
from coordination.agencies.models import Agency
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.cases.models import Case, CaseStatus, RiskLevel, TimelineKind
from coordination.cases.timeline import add_event
from coordination.counts import capped_count
from coordination.extensions import db
from coordination.followups.models import FollowUp, FollowUpStatus
from coordination.followups.services import FollowUpData, add_follow_up
from coordination.meetings.models import (
    AgendaItem,
    AgendaReason,
    Meeting,
    MeetingAttendance,
    MeetingStatus,
)
from coordination.models_base import utcnow
from coordination.notifications.models import NotificationKind
from coordination.notifications.services import notify
from coordination.order_checks.response import breached_cases
from coordination.order_checks.schedule import escalated_case_ids
from coordination.referrals.models import Referral, ReferralStatus
from coordination.refusals import Forbidden, NotFound, RuleBroken
from coordination.territories.queries import agencies_serving_territory
from coordination.workflow import check_version

#: Two incidents at most this many days apart make a case a repeat.
REPEAT_WINDOW_DAYS = 365
#: A committee's first meeting looks this far back for declined referrals.
FIRST_MEETING_LOOKBACK = timedelta(days=30)


def local_date(moment: datetime) -> date:
    """The calendar day of a UTC timestamp where the committee is."""
    return to_user_timezone(moment).date()


# --- reading --------------------------------------------------------------------------


def list_meetings(user: User, page: int = 1, per_page: int = 25):
    """One page of the user's committee's meetings, the latest first (a Pagination)."""
    query = policy.visible_meetings(user).order_by(
        Meeting.scheduled_for.desc(), Meeting.id.desc())
    return db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)


@dataclass
class MeetingCounts:
    agenda: int = 0  #: cases on the agenda
    decisions: int = 0
    open_decisions: int = 0


def meeting_counts(meeting_ids: list[int]) -> dict[int, MeetingCounts]:
    """Agenda and decision counts of these meetings, in two grouped queries."""
    counts: dict[int, MeetingCounts] = defaultdict(MeetingCounts)
    agenda = db.session.execute(
        sa.select(AgendaItem.meeting_id, sa.func.count(AgendaItem.id))
        .where(AgendaItem.meeting_id.in_(meeting_ids), AgendaItem.removed.is_(False))
        .group_by(AgendaItem.meeting_id))
    for meeting_id, number in agenda:
        counts[meeting_id].agenda = number
    is_open = sa.case((FollowUp.status == FollowUpStatus.OPEN, 1), else_=0)
    decisions = db.session.execute(
        sa.select(FollowUp.meeting_id, sa.func.count(FollowUp.id), sa.func.sum(is_open))
        .where(FollowUp.meeting_id.in_(meeting_ids))
        .group_by(FollowUp.meeting_id))
    for meeting_id, number, open_number in decisions:
        counts[meeting_id].decisions = number
        counts[meeting_id].open_decisions = int(open_number or 0)
    return counts


#: What the meeting page and the minutes show, in a fixed number of queries.
MEETING_PAGE_OPTIONS = (
    joinedload(Meeting.committee).joinedload(Agency.territory),
    selectinload(Meeting.agenda_items).joinedload(AgendaItem.case),
    # Beside the decision form: what consent covers, and who sees the contacts.
    selectinload(Meeting.agenda_items).joinedload(AgendaItem.case)
    .selectinload(Case.consents),
    selectinload(Meeting.agenda_items).joinedload(AgendaItem.case)
    .selectinload(Case.referrals),
    selectinload(Meeting.attendances).joinedload(MeetingAttendance.agency),
    selectinload(Meeting.decisions).joinedload(FollowUp.case),
    selectinload(Meeting.decisions).joinedload(FollowUp.owner_agency),
    selectinload(Meeting.decisions).joinedload(FollowUp.owner_user),
)


def get_meeting_or_404(user: User, meeting_id: int) -> Meeting:
    """The meeting if it is the user's committee's; 404 otherwise (also if absent)."""
    query = (policy.visible_meetings(user).where(Meeting.id == meeting_id)
             .options(*MEETING_PAGE_OPTIONS))
    meeting = db.session.scalar(query)
    if meeting is None:
        raise NotFound()
    return meeting


def get_agenda_item_or_404(user: User, item_id: int) -> AgendaItem:
    """The agenda item if its meeting is the user's committee's; 404 otherwise."""
    meetings = policy.visible_meetings(user).with_only_columns(Meeting.id)
    item = db.session.scalar(
        sa.select(AgendaItem).where(AgendaItem.id == item_id, AgendaItem.meeting_id.in_(meetings)))
    if item is None:
        raise NotFound()
    return item


def previous_meeting(meeting: Meeting) -> Meeting | None:
    """The committee's last meeting held before this one, if any."""
    return db.session.scalar(
        sa.select(Meeting)
        .where(Meeting.committee_id == meeting.committee_id,
               Meeting.status == MeetingStatus.HELD,
               Meeting.scheduled_for < meeting.scheduled_for,
               Meeting.id != meeting.id)
        .order_by(Meeting.scheduled_for.desc()).limit(1))


def open_decisions_to_review(user: User, meeting: Meeting) -> list[FollowUp]:
    """Decisions of the committee's earlier meetings that are still open.

    The meeting reviews them first. Earlier meetings, not only the previous
    one: a decision nobody closes stays on the list until it is done or
    cancelled. Scoped by the case policy like every list of follow-ups.
    """
    earlier = sa.select(Meeting.id).where(
        Meeting.committee_id == meeting.committee_id,
        Meeting.status == MeetingStatus.HELD,
        Meeting.scheduled_for < meeting.scheduled_for,
        Meeting.id != meeting.id)
    query = (
        sa.select(FollowUp).join(FollowUp.case)
        .where(FollowUp.meeting_id.in_(earlier), FollowUp.status == FollowUpStatus.OPEN,
               policy.case_visibility(user))
        .order_by(FollowUp.due_on, FollowUp.id)
        .options(joinedload(FollowUp.case), joinedload(FollowUp.owner_agency),
                 joinedload(FollowUp.meeting))
    )
    return list(db.session.scalars(query))


def attendance_candidates(meeting: Meeting) -> list[Agency]:
    """Agencies serving the committee's territory: who may attend, and own decisions."""
    return list(db.session.scalars(
        agencies_serving_territory(meeting.committee.territory)))


def decision_cases(meeting: Meeting) -> list[Case]:
    """The agenda's cases on which a decision may be recorded (not closed)."""
    return [item.case for item in meeting.agenda if item.case.status != CaseStatus.CLOSED]


def describe(meeting: Meeting) -> str:
    """The meeting's state in words, for messages."""
    return _("the meeting of %(date)s is now “%(status)s”",
             date=format_datetime(meeting.scheduled_for, "short"),
             status=meeting.status.label)


# --- the agenda proposal ---------------------------------------------------------------


def repeat_case_ids_query() -> sa.Select:
    """``SELECT`` of the ids of repeat cases (``Case.is_repeat``, set when a
    second incident within 12 months is recorded)."""
    return sa.select(Case.id).where(Case.is_repeat.is_(True))


@dataclass(frozen=True)
class ProposedCase:
    case_id: int
    reference: str
    reasons: tuple[AgendaReason, ...] = field(default=())


def declined_since(meeting: Meeting, now: datetime) -> datetime:
    """Referrals declined from this moment on go on the agenda.

    Since the previous meeting took place; for a committee's first meeting,
    over the last :data:`FIRST_MEETING_LOOKBACK`.
    """
    previous = previous_meeting(meeting)
    if previous is not None:
        return previous.scheduled_for
    return now - FIRST_MEETING_LOOKBACK


def agenda_proposal(meeting: Meeting, now: datetime | None = None) -> list[ProposedCase]:
    """The cases the meeting should discuss, each once with all its reasons.

    Cases of the committee's territory, not closed, that are high-risk, a
    repeat, have an open follow-up due before the meeting's day, or a
    referral declined since the previous meeting. One query; nothing that
    happened after ``now`` counts (the demo proposes agendas in the past).
    Ordered high-risk first, then by the other reasons, then by reference.
    """
    now = now or utcnow()
    meeting_day = local_date(meeting.scheduled_for)
    overdue = (
        sa.select(FollowUp.id)
        .where(FollowUp.case_id == Case.id, FollowUp.status == FollowUpStatus.OPEN,
               FollowUp.due_on < meeting_day, FollowUp.created_at <= now)
        .correlate(Case).exists()
    )
    declined = (
        sa.select(Referral.id)
        .where(Referral.case_id == Case.id, Referral.status == ReferralStatus.DECLINED,
               Referral.answered_at >= declined_since(meeting, now),
               Referral.answered_at <= now)
        .correlate(Case).exists()
    )
    high = Case.risk_level == RiskLevel.HIGH
    repeat = Case.id.in_(repeat_case_ids_query())
    flags = {AgendaReason.HIGH_RISK: high, AgendaReason.REPEAT: repeat,
             AgendaReason.OVERDUE_FOLLOW_UPS: overdue,
             AgendaReason.DECLINED_REFERRAL: declined,
             # Protection orders (issue 19): a missed check that reached the
             # committee, a breach since the previous meeting.
             AgendaReason.ORDER_CHECK_MISSED: Case.id.in_(sorted(escalated_case_ids(
                 now, where=[policy.cases_in_territory(meeting.committee.territory)]))),
             AgendaReason.ORDER_BREACHED: Case.id.in_(
                 breached_cases(declined_since(meeting, now), now))}
    query = (
        sa.select(Case.id, Case.reference,
                  *(sa.case((condition, 1), else_=0).label(reason.value)
                    for reason, condition in flags.items()))
        .where(policy.cases_in_territory(meeting.committee.territory),
               Case.status != CaseStatus.CLOSED, Case.created_at <= now,
               sa.or_(*flags.values()))
    )
    proposed = [
        ProposedCase(row.id, row.reference,
                     tuple(reason for reason in flags if getattr(row, reason.value)))
        for row in db.session.execute(query)
    ]
    order = list(AgendaReason)
    return sorted(proposed, key=lambda p: (order.index(p.reasons[0]), p.reference))


def _cases_for_timeline(case_ids) -> dict[int, Case]:
    """The cases with their timelines loaded in one go (events are appended)."""
    cases = db.session.scalars(
        sa.select(Case).where(Case.id.in_(list(case_ids))).options(selectinload(Case.timeline)))
    return {case.id: case for case in cases}


def _next_position(meeting: Meeting) -> int:
    return max((item.position for item in meeting.agenda_items), default=0) + 1


def propose_agenda(user: User, meeting: Meeting, now: datetime | None = None) -> int:
    """Put the proposed cases on the agenda; returns how many were added.

    Cases already there get any new reasons; cases the committee took off
    by hand stay off. Only before the meeting is held.
    """
    if not policy.can(user, policy.Action.PREPARE_AGENDA, meeting):
        raise Forbidden("this user may not prepare this meeting's agenda")
    if meeting.status != MeetingStatus.SCHEDULED:
        raise RuleBroken(_("This step is not possible now: %(what)s.",
                              what=describe(meeting)))
    now = now or utcnow()
    existing = {item.case_id: item for item in meeting.agenda_items}
    proposal = agenda_proposal(meeting, now)
    new = [p for p in proposal if p.case_id not in existing]
    cases = _cases_for_timeline(p.case_id for p in new)
    position = _next_position(meeting)
    for proposed in proposal:
        item = existing.get(proposed.case_id)
        if item is not None:
            if not item.removed:
                item.add_reasons(proposed.reasons)
            continue
        item = AgendaItem(case_id=proposed.case_id, position=position)
        item.add_reasons(proposed.reasons)
        meeting.agenda_items.append(item)
        position += 1
        add_event(cases[proposed.case_id], TimelineKind.PUT_ON_AGENDA, user, at=now)
    record(AuditAction.AGENDA_PROPOSED, user, "meeting", meeting.id)
    db.session.flush()
    return len(new)


# --- scheduling ----------------------------------------------------------------------


@dataclass
class MeetingData:
    #: When, in UTC (the view converts from the committee's time zone).
    scheduled_for: datetime
    place: str


def _checked(data: MeetingData, now: datetime) -> MeetingData:
    place = (data.place or "").strip()
    if not place:
        raise RuleBroken(_("Say where the meeting takes place."))
    if data.scheduled_for < now:
        raise RuleBroken(_("A meeting cannot be scheduled in the past."))
    return MeetingData(data.scheduled_for.replace(second=0, microsecond=0), place)


def schedule_meeting(user: User, data: MeetingData, now: datetime | None = None) -> Meeting:
    """Schedule a meeting of the user's committee and propose its agenda.

    Raises :class:`Forbidden` unless the user heads a committee,
    :class:`RuleBroken` when the date is past or the place missing.
    """
    if not policy.can(user, policy.Action.SCHEDULE_MEETING, user.agency):
        raise Forbidden("only a committee's head schedules its meetings")
    now = now or utcnow()
    data = _checked(data, now)
    meeting = Meeting(committee_id=user.agency_id, scheduled_for=data.scheduled_for,
                      place=data.place, created_by_id=user.id, created_at=now, updated_at=now)
    db.session.add(meeting)
    db.session.flush()
    record(AuditAction.MEETING_SCHEDULED, user, "meeting", meeting.id)
    for agency in attendance_candidates(meeting):
        if agency.id != user.agency_id:  # the invited partners
            notify(agency.id, NotificationKind.MEETING_SCHEDULED,
                   related_agency_id=user.agency_id, at=now)
    propose_agenda(user, meeting, now=now)
    return meeting


def _touch(meeting: Meeting, now: datetime) -> None:
    """Record a change to the meeting: its row is updated, so its version moves
    (even when ``now`` equals the last change, as with a frozen clock)."""
    meeting.updated_at = now
    flag_modified(meeting, "updated_at")


def _manage(user: User, meeting: Meeting, expected_version: int | None) -> None:
    """Rescheduling and cancelling: the head, on a current page, before the meeting."""
    if not policy.can(user, policy.Action.MANAGE_MEETING, meeting):
        raise Forbidden("only the committee's head reschedules or cancels")
    check_version(meeting, expected_version, describe(meeting))
    if meeting.status != MeetingStatus.SCHEDULED:
        raise RuleBroken(_("This step is not possible now: %(what)s.",
                              what=describe(meeting)))


def reschedule_meeting(
    user: User, meeting: Meeting, data: MeetingData, expected_version: int | None,
    now: datetime | None = None,
) -> Meeting:
    """Move a scheduled meeting or change its place."""
    _manage(user, meeting, expected_version)
    now = now or utcnow()
    data = _checked(data, now)
    meeting.scheduled_for = data.scheduled_for
    meeting.place = data.place
    _touch(meeting, now)
    record(AuditAction.MEETING_RESCHEDULED, user, "meeting", meeting.id)
    db.session.flush()
    return meeting


def cancel_meeting(
    user: User, meeting: Meeting, expected_version: int | None, now: datetime | None = None,
) -> Meeting:
    """Cancel a scheduled meeting; its agenda stays as it was."""
    _manage(user, meeting, expected_version)
    meeting.status = MeetingStatus.CANCELLED
    _touch(meeting, now or utcnow())
    record(AuditAction.MEETING_CANCELLED, user, "meeting", meeting.id)
    db.session.flush()
    return meeting


# --- preparing and recording the meeting --------------------------------------------------


def _require(user: User, action: policy.Action, meeting: Meeting) -> None:
    """The user's committee's meeting, and not cancelled."""
    if not policy.can(user, action, meeting):
        raise Forbidden(f"{action.value} is not for this user")
    if meeting.status == MeetingStatus.CANCELLED:
        raise RuleBroken(_("This meeting was cancelled."))


def add_agenda_case(
    user: User, meeting: Meeting, reference: str, now: datetime | None = None,
) -> AgendaItem:
    """Put a case on the agenda by its reference number.

    Only a case the committee may see (the case policy); one the committee
    may not see is refused like one that does not exist.
    """
    _require(user, policy.Action.PREPARE_AGENDA, meeting)
    text = (reference or "").strip().upper()
    case = db.session.scalar(sa.select(Case).where(Case.reference == text,
                                                   policy.case_visibility_per_row(user)))
    if case is None:
        raise RuleBroken(_("There is no case with this reference number that your "
                              "committee may see."))
    if case.status == CaseStatus.CLOSED:
        raise RuleBroken(_("This case is closed."))
    item = next((i for i in meeting.agenda_items if i.case_id == case.id), None)
    if item is not None and not item.removed:
        raise RuleBroken(_("This case is already on the agenda."))
    now = now or utcnow()
    if item is None:
        item = AgendaItem(case_id=case.id, position=_next_position(meeting))
        meeting.agenda_items.append(item)
    item.removed = False
    item.add_reasons([AgendaReason.ADDED_BY_HAND])
    db.session.flush()
    add_event(case, TimelineKind.PUT_ON_AGENDA, user, at=now)
    record(AuditAction.AGENDA_ITEM_ADDED, user, "agenda_item", item.id)
    return item


def remove_agenda_item(user: User, item: AgendaItem, now: datetime | None = None) -> None:
    """Take a case off the agenda (kept, marked removed: a new proposal skips it)."""
    meeting = item.meeting
    _require(user, policy.Action.PREPARE_AGENDA, meeting)
    if item.removed:
        raise RuleBroken(_("This case is no longer on the agenda."))
    if any(decision.case_id == item.case_id for decision in meeting.decisions):
        raise RuleBroken(_("Decisions on this case were recorded at this meeting; "
                              "it stays on the agenda."))
    item.removed = True
    add_event(item.case, TimelineKind.TAKEN_OFF_AGENDA, user, at=now or utcnow())
    record(AuditAction.AGENDA_ITEM_REMOVED, user, "agenda_item", item.id)
    db.session.flush()


def record_attendance(
    user: User, meeting: Meeting, agency_ids: list[int], expected_version: int | None,
    now: datetime | None = None,
) -> Meeting:
    """Set which agencies attended (agencies serving the committee's territory)."""
    _require(user, policy.Action.RECORD_MEETING, meeting)
    check_version(meeting, expected_version, describe(meeting))
    chosen = set(agency_ids)
    if not chosen <= {agency.id for agency in attendance_candidates(meeting)}:
        raise RuleBroken(_("Choose agencies from the list."))
    for attendance in list(meeting.attendances):
        if attendance.agency_id not in chosen:
            meeting.attendances.remove(attendance)
    present = {attendance.agency_id for attendance in meeting.attendances}
    meeting.attendances.extend(
        MeetingAttendance(agency_id=agency_id) for agency_id in sorted(chosen - present))
    _touch(meeting, now or utcnow())
    record(AuditAction.ATTENDANCE_RECORDED, user, "meeting", meeting.id)
    db.session.flush()
    return meeting


def record_decision(
    user: User, meeting: Meeting, case_id: int, data: FollowUpData,
    now: datetime | None = None,
) -> FollowUp:
    """Record a decision: a follow-up on one of the agenda's cases.

    It goes through ``add_follow_up``: the owner must serve the case's
    place, the due date cannot be past, and the owner agency becomes
    involved in the case (it sees it from then on).
    """
    _require(user, policy.Action.RECORD_MEETING, meeting)
    item = next((i for i in meeting.agenda if i.case_id == case_id), None)
    if item is None:
        raise RuleBroken(_("Choose a case from the agenda."))
    if item.case.status == CaseStatus.CLOSED:
        raise RuleBroken(_("This case is closed."))
    data = FollowUpData(action=data.action, owner_agency_id=data.owner_agency_id,
                        due_on=data.due_on, owner_user_id=data.owner_user_id,
                        meeting_id=meeting.id, legal_ground=data.legal_ground)
    return add_follow_up(user, item.case, data, now=now)


def mark_held(
    user: User, meeting: Meeting, expected_version: int | None, now: datetime | None = None,
) -> Meeting:
    """Record that the meeting took place: on or after its day, with attendance.

    Every case on the agenda gets "discussed at the committee meeting" on
    its timeline. Attendance and decisions may still be completed afterwards.
    """
    _require(user, policy.Action.RECORD_MEETING, meeting)
    check_version(meeting, expected_version, describe(meeting))
    if meeting.status != MeetingStatus.SCHEDULED:
        raise RuleBroken(_("This step is not possible now: %(what)s.",
                              what=describe(meeting)))
    now = now or utcnow()
    if local_date(now) < local_date(meeting.scheduled_for):
        raise RuleBroken(_("A meeting cannot be recorded as held before its day."))
    if not meeting.attendances:
        raise RuleBroken(_("Record which agencies attended first."))
    meeting.status = MeetingStatus.HELD
    meeting.held_at = now
    _touch(meeting, now)
    cases = _cases_for_timeline(item.case_id for item in meeting.agenda)
    for item in meeting.agenda:
        add_event(cases[item.case_id], TimelineKind.DISCUSSED_AT_MEETING, user, at=now)
    record(AuditAction.MEETING_HELD, user, "meeting", meeting.id)
    db.session.flush()
    return meeting


def next_meeting(user: User, now: datetime) -> Meeting | None:
    """The user's committee's next scheduled meeting (one that began within
    the last day still counts: it is being held today), or None."""
    return db.session.scalar(
        policy.visible_meetings(user)
        .where(Meeting.status == MeetingStatus.SCHEDULED,
               Meeting.scheduled_for >= now - timedelta(days=1))
        .order_by(Meeting.scheduled_for, Meeting.id).limit(1))


def open_committee_decisions(user: User, limit: int) -> tuple[list[FollowUp], int]:
    """The committee's decisions still open (overdue, then earliest due), the
    first ``limit`` and how many: what its next meeting reviews first."""
    decided = sa.select(Meeting.id).where(Meeting.committee_id == user.agency_id)
    conditions = (FollowUp.meeting_id.in_(decided), FollowUp.status == FollowUpStatus.OPEN,
                  policy.case_visibility(user))
    rows = db.session.scalars(
        sa.select(FollowUp).join(FollowUp.case).where(*conditions)
        .order_by(FollowUp.due_on, FollowUp.id).limit(limit)
        .options(joinedload(FollowUp.case), joinedload(FollowUp.owner_agency)))
    return list(rows), capped_count(
        sa.select(FollowUp.id).join(FollowUp.case).where(*conditions))
