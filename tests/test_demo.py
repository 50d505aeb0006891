"""The demo data set: what DESIGN.md section 7 promises, and reproducible."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from coordination.agencies.models import Agency, AgencyType
from coordination.cases.models import Case, Person, PersonRole, Relationship
from coordination.demo import demo_usernames, load_demo
from coordination.extensions import db
from coordination.meetings.models import Meeting, MeetingStatus
from coordination.meetings.services import open_decisions_to_review
from coordination.territories.models import Territory
from tests.conftest import DEMO_NOW, DEMO_SEED, separate_app

CONTRACT_ACCOUNTS = {
    "coordinator.sokuluk", "police.sokuluk", "social.sokuluk", "lsg.sokuluk",
    "coordinator.karasuu", "police.karasuu", "social.karasuu", "lsg.karasuu",
    "ministry.analyst", "admin", "court.sokuluk", "court.karasuu",
}


def test_contract_accounts_exist():
    assert CONTRACT_ACCOUNTS <= set(demo_usernames())


@pytest.mark.parametrize("code", ["41708222", "41706226"])
def test_each_district_has_60_cases_over_18_months(code):
    district = db.session.scalar(sa.select(Territory).where(Territory.code == code))
    created = db.session.scalars(
        sa.select(Case.created_at).where(Case.district_id == district.id)).all()
    assert len(created) >= 60
    assert min(created) >= DEMO_NOW - timedelta(days=18 * 31)
    assert max(created) - min(created) > timedelta(days=15 * 30)
    types = set(db.session.scalars(
        sa.select(Agency.type).where(Agency.territory_id == district.id)))
    assert {AgencyType.COMMITTEE, AgencyType.POLICE, AgencyType.SOCIAL, AgencyType.LSG,
            AgencyType.HEALTH, AgencyType.CRISIS_CENTRE, AgencyType.COURT} <= types


def test_mix_is_realistic():
    survivors = db.session.scalars(
        sa.select(Person).where(Person.role == PersonRole.SURVIVOR)).all()
    female = sum(p.sex == "female" for p in survivors) / len(survivors)
    assert 0.75 < female < 0.99  # adults mostly women; children of both sexes
    relationships = set(db.session.scalars(sa.select(Person.relationship_to_survivor).where(
        Person.role == PersonRole.ALLEGED_PERPETRATOR)))
    assert {Relationship.SPOUSE, Relationship.FORMER_SPOUSE, Relationship.PARENT_IN_LAW} <= (
        relationships)
    statuses = set(db.session.scalars(sa.select(Case.status)))
    assert statuses == {"open", "active", "monitoring", "closed"}


def test_same_seed_gives_the_same_demo(tmp_path):
    """A second load with the same seed and day reproduces the first one."""
    expected = _fingerprint()
    with separate_app(tmp_path):
        upgrade()
        load_demo(DEMO_SEED, now=DEMO_NOW)
        db.session.commit()
        assert _fingerprint() == expected


def _fingerprint():
    return db.session.execute(
        sa.select(Case.reference, Case.survivor_code, Case.status, Case.created_at)
        .order_by(Case.id)).all()


def test_surnames_agree_with_sex():
    people = db.session.execute(sa.select(Person.last_name, Person.sex)).all()
    for last_name, sex in people:
        if sex == "female":
            assert not last_name.endswith(("ов", "ев")), last_name
        else:
            assert not last_name.endswith(("ова", "ева")), last_name


@pytest.mark.parametrize("district", ["sokuluk", "karasuu"])
def test_each_district_has_a_held_and_a_scheduled_meeting(district, user):
    coordinator = user(f"coordinator.{district}")
    held, upcoming = db.session.scalars(
        sa.select(Meeting).where(Meeting.committee_id == coordinator.agency_id)
        .order_by(Meeting.scheduled_for)).all()
    assert held.status == MeetingStatus.HELD
    assert timedelta(weeks=4) < DEMO_NOW - held.scheduled_for < timedelta(weeks=7)
    assert held.attendances and held.agenda
    assert 2 <= len(held.decisions) <= 4
    assert {d.case_id for d in held.decisions} <= {i.case_id for i in held.agenda}
    assert upcoming.status == MeetingStatus.SCHEDULED
    assert timedelta(days=7) < upcoming.scheduled_for - DEMO_NOW < timedelta(days=14)
    assert upcoming.agenda and not upcoming.decisions
    for meeting in (held, upcoming):
        assert meeting.scheduled_for.weekday() < 5
    still_open = [d for d in held.decisions if d.status == "open"]
    assert still_open
    assert open_decisions_to_review(coordinator, upcoming) == sorted(
        still_open, key=lambda d: (d.due_on, d.id))


def test_what_the_system_writes_for_the_demo_staff_is_in_their_language():
    """The follow-up a breach of an order gives the police is written in the
    demo staff's Russian, not in the English of the command that loads it."""
    from coordination.followups.models import FollowUp
    from coordination.protection.models import OrderViolation

    actions = set(db.session.scalars(sa.select(FollowUp.action).join(
        OrderViolation, OrderViolation.follow_up_id == FollowUp.id)))
    assert actions == {"Принять меры в связи с нарушением охранного ордера"}
