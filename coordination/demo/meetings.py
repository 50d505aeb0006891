"""Demo data for committee meetings: two per district.

One meeting held about five weeks before the load (attendance, the proposed
agenda, two to four decisions, some of them done since), and one scheduled
about ten days ahead with its proposed agenda, which opens with the first
meeting's decisions still open. Everything goes through the services.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from flask_babel import to_utc

from coordination.accounts.models import User
from coordination.agencies.models import AgencyType
from coordination.demo.workflow import demo_ground
from coordination.followups.services import FollowUpData, close_follow_up
from coordination.meetings.services import (
    MeetingData,
    attendance_candidates,
    decision_cases,
    mark_held,
    record_attendance,
    record_decision,
    schedule_meeting,
)

PLACES = ["Зал заседаний районной администрации", "Актовый зал айыл окмоту",
          "Кабинет ответственного секретаря комитета"]
DECISIONS = [
    "Провести совместный выезд в семью участкового и социального работника",
    "Подготовить план безопасности вместе с пострадавшей",
    "Проверить исполнение охранного ордера",
    "Обеспечить консультацию психолога для детей",
    "Направить на коррекционную программу",
    "Рассмотреть размещение в кризисном центре",
    "Оформить социальное пособие семье",
]
#: Agencies that own the committee's decisions in the demo.
OWNERS = (AgencyType.POLICE, AgencyType.SOCIAL, AgencyType.LSG, AgencyType.HEALTH)


def _local(day: date, hour: int) -> datetime:
    """``hour`` o'clock on ``day`` in the committee's time zone, as stored (UTC)."""
    return to_utc(datetime.combine(day, time(hour, 0)))


def _weekday(day: date) -> date:
    """The day itself, or the Monday after a weekend: committees meet on workdays."""
    return day + timedelta(days=7 - day.weekday() if day.weekday() >= 5 else 0)


def add_meetings(rng: random.Random, staff: dict[AgencyType, User], now: datetime) -> None:
    """One held and one scheduled meeting of the district's committee."""
    coordinator = staff[AgencyType.COMMITTEE]
    held_day = _weekday((now - timedelta(weeks=5, days=rng.randint(0, 3))).date())
    start = _local(held_day, 10)
    meeting = schedule_meeting(coordinator, MeetingData(start, rng.choice(PLACES)),
                               now=start - timedelta(days=12))
    candidates = attendance_candidates(meeting)
    attending = [a.id for a in candidates
                 if a.type in (AgencyType.COMMITTEE, AgencyType.POLICE, AgencyType.SOCIAL)
                 or rng.random() < 0.7]
    record_attendance(coordinator, meeting, attending, meeting.version,
                      now=start + timedelta(minutes=5))
    cases = decision_cases(meeting)
    for index, case in enumerate(rng.sample(cases, k=min(len(cases), rng.randint(2, 4)))):
        owner = staff[rng.choice(OWNERS)]
        due = held_day + timedelta(days=rng.randint(7, 28))
        decided_at = start + timedelta(minutes=rng.randint(20, 100))
        ground = demo_ground(case, owner.agency)
        if ground is False:
            owner = coordinator  # the committee keeps the work itself
            ground = None
        decision = record_decision(coordinator, meeting, case.id, FollowUpData(
            action=rng.choice(DECISIONS), owner_agency_id=owner.agency_id, due_on=due,
            owner_user_id=owner.id if rng.random() < 0.5 else None, legal_ground=ground),
            now=decided_at)
        done_at = datetime.combine(due, time(9, 0)) - timedelta(days=rng.randint(0, 5))
        # The first stays open: the next meeting starts by reviewing it.
        if index and done_at < now and rng.random() < 0.5:
            close_follow_up(owner, decision, True, decision.version, "Выполнено",
                            now=max(done_at, decided_at))
    mark_held(coordinator, meeting, meeting.version, now=start + timedelta(hours=2))

    upcoming = _local(_weekday((now + timedelta(days=10)).date()), 10)
    schedule_meeting(coordinator, MeetingData(upcoming, meeting.place), now=now)
