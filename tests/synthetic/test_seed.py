"""``flask seed-synthetic``: counts, distributions, the rules the app relies on."""
from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from coordination import policy
from coordination.accounts.models import Role, User
from coordination.agencies.models import Agency, AgencyType
from coordination.cases.models import (
    Case,
    CaseStatus,
    Incident,
    IncidentViolenceForm,
    Person,
    PersonRole,
    Relationship,
    TimelineEvent,
    TimelineKind,
)
from coordination.cases.timeline import add_event
from coordination.consent.models import ConsentRecord, ConsentScope
from coordination.extensions import db
from coordination.followups.models import FollowUp, FollowUpStatus
from coordination.maintenance.synthetic import seed_synthetic
from coordination.maintenance.synthetic.cases import reference
from coordination.notifications.models import Notification, NotificationKind
from coordination.notifications.services import notify
from coordination.protection.models import OrderKind, OrderViolation, ProtectionOrder
from coordination.referrals.models import Referral, ReferralStatus
from coordination.risk.models import RiskAssessment
from coordination.territories.models import Territory, TerritoryLevel
from tests.conftest import separate_app
from tests.synthetic.conftest import CASES, NOW, SEED


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _districts() -> list[Territory]:
    return db.session.scalars(sa.select(Territory).where(
        Territory.level == TerritoryLevel.DISTRICT)).all()


# --- counts and the network --------------------------------------------------------


def test_counts_match_the_summary(summary):
    assert summary.cases == CASES == _count(Case)
    for table, written in summary.rows.items():
        stored = db.session.scalar(sa.select(sa.func.count()).select_from(sa.table(table)))
        assert stored == written, table
    assert summary.rows_per_second > 0


def test_every_district_has_cases_and_the_whole_network():
    districts = _districts()
    assert len(districts) == 45  # 44 districts and Osh city, its own district
    per_district = Counter(db.session.scalars(sa.select(Case.district_id)))
    assert set(per_district) == {d.id for d in districts}
    types = {(a.territory_id, a.type) for a in db.session.scalars(sa.select(Agency))}
    for district in districts:
        for agency_type in (AgencyType.COMMITTEE, AgencyType.POLICE, AgencyType.SOCIAL,
                            AgencyType.LSG, AgencyType.HEALTH, AgencyType.EDUCATION):
            assert (district.id, agency_type) in types
        assert (district.parent_id, AgencyType.CRISIS_CENTRE) in types


def test_every_agency_has_a_head_and_staff():
    for agency in db.session.scalars(sa.select(Agency).where(
            Agency.type != AgencyType.MINISTRY)):
        roles = db.session.scalars(sa.select(User.role).where(User.agency_id == agency.id)).all()
        assert len(roles) >= 2 and roles.count(Role.LEAD) == 1, agency.code
    for username, role in (("coordinator.sokuluk", Role.LEAD), ("police.sokuluk", Role.MEMBER),
                           ("police2.karasuu", Role.LEAD), ("ministry.analyst", Role.MEMBER),
                           ("admin", Role.ADMIN)):
        assert db.session.scalar(sa.select(User.role).where(User.username == username)) == role


# --- distributions, within loose bounds ------------------------------------------


def _first_survivors() -> list[Person]:
    first = sa.select(sa.func.min(Person.id)).where(
        Person.role == PersonRole.SURVIVOR).group_by(Person.case_id)
    return db.session.scalars(sa.select(Person).where(Person.id.in_(first))).all()


def test_survivors_are_mostly_women_of_working_age():
    survivors = _first_survivors()
    assert len(survivors) == CASES
    women = sum(p.sex == "female" for p in survivors) / len(survivors)
    assert 0.88 < women < 0.99
    registered = dict(db.session.execute(sa.select(Case.id, Case.created_at)).all())
    ages = [registered[p.case_id].year - p.birth_year for p in survivors]
    assert 20 <= sorted(ages)[len(ages) // 2] <= 45
    assert min(ages) >= 8 and max(ages) <= 83


def test_relationships_forms_and_statuses_look_real():
    kin = Counter(db.session.scalars(sa.select(Person.relationship_to_survivor).where(
        Person.role == PersonRole.ALLEGED_PERPETRATOR)))
    assert kin.most_common(1)[0][0] == Relationship.SPOUSE
    assert len(kin) >= 6
    forms = db.session.execute(sa.select(IncidentViolenceForm.incident_id,
                                         IncidentViolenceForm.form)).all()
    per_incident = Counter(incident for incident, _form in forms)
    assert 1.3 < sum(per_incident.values()) / len(per_incident) < 2.5  # several per case
    assert {form for _incident, form in forms} == {
        "physical", "psychological", "economic", "sexual", "neglect", "threat"}
    statuses = Counter(db.session.scalars(sa.select(Case.status)))
    assert set(statuses) == set(CaseStatus)
    assert 0.6 < statuses[CaseStatus.CLOSED] / CASES < 0.95


def test_cases_span_ten_years_and_grow():
    created = sorted(db.session.scalars(sa.select(Case.created_at)))
    assert NOW - timedelta(days=3653) <= created[0] < NOW - timedelta(days=3000)
    assert created[-1] < NOW
    first_half = sum(c < NOW - timedelta(days=1826) for c in created)
    assert first_half < CASES / 2  # registrations rise over the years


def test_referrals_follow_ups_and_orders_have_realistic_rates():
    referrals = Counter(db.session.scalars(sa.select(Referral.case_id)))
    assert max(referrals.values()) <= 4
    assert 1.0 < sum(referrals.values()) / CASES < 2.0
    statuses = Counter(db.session.scalars(sa.select(Referral.status)))
    assert statuses[ReferralStatus.COMPLETED] > statuses[ReferralStatus.DECLINED] > 0
    overdue = db.session.scalar(sa.select(sa.func.count(FollowUp.id)).where(
        FollowUp.status == FollowUpStatus.OPEN, FollowUp.due_on < NOW.date()))
    assert overdue > 0
    orders = db.session.execute(sa.select(ProtectionOrder.kind, ProtectionOrder.extended_at,
                                          ProtectionOrder.issued_at)).all()
    temporary = [o for o in orders if o.kind == OrderKind.TEMPORARY]
    assert 0.3 < len(temporary) / CASES < 0.8  # temporary orders are common
    assert sum(o.extended_at is not None for o in temporary) < 0.2 * len(temporary)
    assert all(o.issued_at.year >= 2025 for o in orders if o.kind == OrderKind.COURT)
    assert _count(OrderViolation) < 0.1 * len(orders)


# --- invariants the app relies on --------------------------------------------------


def test_every_referral_has_consent_or_a_legal_ground():
    receiver = sa.orm.aliased(Agency)
    consented = sa.exists().where(
        ConsentRecord.case_id == Referral.case_id,
        ConsentRecord.scope == ConsentScope.SHARING,
        ConsentRecord.agency_type == receiver.type,
        ConsentRecord.recorded_at <= Referral.sent_at,
        sa.or_(ConsentRecord.withdrawn_at.is_(None),
               ConsentRecord.withdrawn_at > Referral.sent_at))
    uncovered = db.session.scalar(
        sa.select(sa.func.count(Referral.id)).join(receiver, receiver.id == Referral.to_agency_id)
        .where(Referral.legal_ground.is_(None), ~consented))
    assert uncovered == 0
    grounds = db.session.scalar(sa.select(sa.func.count(Referral.id)).where(
        Referral.legal_ground.is_not(None)))
    assert 0 < grounds < _count(Referral)


def test_no_consent_is_recorded_twice_while_in_force():
    rows = db.session.execute(sa.select(ConsentRecord.case_id, ConsentRecord.scope,
                                        ConsentRecord.agency_type).where(
        ConsentRecord.withdrawn_at.is_(None))).all()
    assert len(rows) == len(set(rows))


def test_every_case_is_visible_to_its_committee():
    for coordinator in db.session.scalars(sa.select(User).join(User.agency).where(
            Agency.type == AgencyType.COMMITTEE, User.role == Role.LEAD)):
        district = coordinator.agency.territory_id
        total = db.session.scalar(sa.select(sa.func.count(Case.id)).where(
            Case.district_id == district))
        visible = db.session.scalar(policy.visible_cases(coordinator).where(
            Case.district_id == district).with_only_columns(sa.func.count(Case.id)))
        assert visible == total


def test_police_see_the_cases_they_issued_orders_on(user):
    police = user("police.sokuluk")
    issued = set(db.session.scalars(sa.select(ProtectionOrder.case_id).where(
        ProtectionOrder.issuing_agency_id == police.agency_id)))
    visible = set(db.session.scalars(policy.visible_cases(police).with_only_columns(Case.id)))
    assert issued and issued <= visible


def test_references_are_unique_and_reveal_nothing():
    references = db.session.scalars(sa.select(Case.reference)).all()
    assert len(set(references)) == CASES
    assert all(re.fullmatch(r"DV-20\d\d-[0-9A-HJKMNP-TV-Z]{6}", r) for r in references)
    # The keyed bijection never repeats, whatever the number of cases.
    assert len({reference(i, 2026, 12345)[-6:] for i in range(200_000)}) == 200_000


def test_survivor_codes_are_the_first_survivors_initials_and_birth_year():
    codes = dict(db.session.execute(sa.select(Case.id, Case.survivor_code)).all())
    for person in _first_survivors():
        expected = f"{person.first_name[0]}{person.last_name[0]}-{person.birth_year}".upper()
        assert codes[person.case_id] == expected


def test_timelines_are_in_order_and_closed_cases_left_nothing_open():
    events = db.session.execute(sa.select(TimelineEvent.case_id, TimelineEvent.at,
                                          TimelineEvent.kind).order_by(TimelineEvent.id)).all()
    by_case: dict[int, list] = {}
    for case_id, at, kind in events:
        by_case.setdefault(case_id, []).append((at, kind))
    assert len(by_case) == CASES
    for case_events in by_case.values():
        assert case_events[0][1] == TimelineKind.CASE_REGISTERED
        assert [at for at, _kind in case_events] == sorted(at for at, _kind in case_events)
    closed = set(db.session.scalars(sa.select(Case.id).where(Case.status == CaseStatus.CLOSED)))
    assert all(by_case[c][-1][1] == TimelineKind.CASE_CLOSED for c in closed)
    still_open = db.session.scalar(sa.select(sa.func.count(Referral.id)).where(
        Referral.case_id.in_(closed), Referral.status.in_(
            [ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS])))
    assert still_open == 0
    assert not db.session.scalar(sa.select(sa.func.count(FollowUp.id)).where(
        FollowUp.case_id.in_(closed), FollowUp.status == FollowUpStatus.OPEN))


def test_rows_obey_the_workflow_rules():
    cases = {c.id: c for c in db.session.scalars(sa.select(Case))}
    agencies = {a.id: a for a in db.session.scalars(sa.select(Agency))}
    for referral in db.session.scalars(sa.select(Referral)):
        case, sender = cases[referral.case_id], agencies[referral.from_agency_id]
        assert sender.id in (case.opening_agency_id, case.lead_agency_id) \
            or sender.type == AgencyType.COMMITTEE
        assert referral.to_agency_id != referral.from_agency_id
        assert referral.respond_by > referral.sent_at >= case.created_at
        assert (referral.answered_at is None) == (referral.answered_by_id is None)
        assert referral.version >= 1
        if referral.status == ReferralStatus.DECLINED:
            assert referral.decline_reason and referral.closed_at
    for order in db.session.scalars(sa.select(ProtectionOrder)):
        assert agencies[order.issuing_agency_id].type == AgencyType.POLICE
        assert agencies[order.issuing_agency_id].territory_id == cases[order.case_id].district_id
        assert order.valid_until > order.issued_at
    for assessment in db.session.scalars(sa.select(RiskAssessment)):
        assert assessment.score == sum(assessment.answers.values())
        order = ["standard", "medium", "high"]
        assert order.index(assessment.level) >= order.index(assessment.scored_level)
        assert cases[assessment.case_id].risk_level == assessment.level
    repeats = {i.case_id for i in db.session.scalars(sa.select(Incident))
               if i.id not in set(db.session.scalars(sa.select(sa.func.min(Incident.id))
                                                    .group_by(Incident.case_id)))}
    assert repeats == {c.id for c in cases.values() if c.is_repeat}


def test_every_foreign_key_points_at_a_row():
    """The load skips the databases' own checks, so check every key here."""
    for table in db.metadata.sorted_tables:
        for key in table.foreign_keys:
            parent = key.column.table.alias("parent")
            target = parent.c[key.column.name]
            missing = db.session.scalar(
                sa.select(sa.func.count()).select_from(table)
                .outerjoin(parent, key.parent == target)
                .where(key.parent.is_not(None), target.is_(None)))
            assert missing == 0, f"{table.name}.{key.parent.name}"


def test_new_rows_after_seeding_get_new_ids(user):
    """The id sequences (PostgreSQL) were moved past the generated ids."""
    coordinator = user("coordinator.sokuluk")
    case = db.session.scalar(policy.visible_cases(coordinator).limit(1))
    seeded = db.session.scalar(sa.select(sa.func.max(TimelineEvent.id)))
    event = add_event(case, TimelineKind.STATUS_CHANGED, coordinator)
    notification = notify(coordinator.agency_id, NotificationKind.REFERRAL_RECEIVED, case.id)
    db.session.flush()
    assert event.id > seeded
    assert notification.id > _count(Notification) - 1 > 0


# --- determinism and the command -----------------------------------------------------


def _fingerprint():
    return (
        db.session.execute(sa.select(Case.reference, Case.status, Case.created_at,
                                     Case.lead_agency_id).order_by(Case.id)).all(),
        db.session.execute(sa.select(Referral.status, Referral.sent_at, Referral.to_agency_id)
                           .order_by(Referral.id)).all(),
        db.session.execute(sa.select(Person.first_name, Person.birth_year)
                           .order_by(Person.id)).all(),
    )


def test_the_same_seed_gives_the_same_data_another_seed_other_data(tmp_path):
    expected = _fingerprint()
    with separate_app(tmp_path):
        upgrade()
        seed_synthetic(CASES, SEED, now=NOW)
        assert _fingerprint() == expected
    with separate_app(tmp_path):
        upgrade()
        seed_synthetic(CASES, SEED + 1, now=NOW)
        assert _fingerprint()[0] != expected[0]


def test_the_command_fills_an_empty_database_and_refuses_others(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["seed-synthetic", "--cases", "10"])
    assert result.exit_code != 0
    assert "already has agencies" in result.output
    with separate_app(tmp_path) as empty:
        result = empty.test_cli_runner().invoke(args=["seed-synthetic", "--cases", "10"])
        assert result.exit_code != 0
        assert "run `flask db upgrade` first" in result.output
        upgrade()
        result = empty.test_cli_runner().invoke(
            args=["seed-synthetic", "--cases", "60", "--seed", "3"])
        assert result.exit_code == 0, result.output
        assert "Synthetic data loaded: 60 cases (seed 3)" in result.output
        assert "password demo-password-1" in result.output
        assert _count(Case) == 60


@pytest.mark.parametrize("bad", ["0", "-5", "many"])
def test_the_command_refuses_a_bad_number_of_cases(app, bad):
    result = app.test_cli_runner().invoke(args=["seed-synthetic", "--cases", bad])
    assert result.exit_code != 0
    assert "Invalid value for '--cases'" in result.output
