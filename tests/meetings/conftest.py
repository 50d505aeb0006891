"""Fixtures for committee meetings: the workflow's case and agencies, a meeting."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from coordination.accounts.models import Role
from coordination.accounts.services import create_user
from coordination.agencies.models import Agency
from coordination.extensions import db
from coordination.followups.services import FollowUpData
from coordination.meetings import services
from coordination.referrals.models import LegalGround
from tests.helpers import DEMO_PASSWORD
from tests.workflow.conftest import NOW, agency, new_case  # noqa: F401  (fixtures)


@pytest.fixture
def meeting(user):
    """``meeting(days=7)``: a Sokuluk committee meeting ``days`` after ``now``."""

    def make(days: float = 7, by: str = "coordinator.sokuluk", now: datetime = NOW,
             place: str = "Зал заседаний"):
        scheduled = services.schedule_meeting(
            user(by), services.MeetingData(now + timedelta(days=days), place), now=now)
        db.session.flush()
        return scheduled

    return make


@pytest.fixture
def committee_member(user):
    """A member (not the head) of the Sokuluk committee: ``member.sokuluk``."""
    committee = db.session.scalar(sa.select(Agency).where(Agency.code == "SOKULUK-COMMITTEE"))
    create_user("member.sokuluk", "Гүлзат Бекова", committee, Role.MEMBER, DEMO_PASSWORD)
    db.session.commit()
    return user("member.sokuluk")


def decide(by, meeting, case, owner_agency_id: int, person: int | None = None,
           action: str = "Посетить семью", days: int = 10):
    """Record a decision on ``case`` due ``days`` after ``NOW``."""
    return services.record_decision(by, meeting, case.id, FollowUpData(
        action, owner_agency_id, NOW.date() + timedelta(days=days), person,
        legal_ground=LegalGround.DANGER_TO_LIFE), now=NOW)


def hold(by, meeting, at: datetime) -> None:
    """Record ``by``'s agency as attending and the meeting as held at ``at``."""
    services.record_attendance(by, meeting, [by.agency_id], meeting.version, now=at)
    services.mark_held(by, meeting, meeting.version, now=at)
