"""Every aggregate of the engine equals the same count done case by case in Python.

The engine's SQL is written for speed (lookups per counted case, one query
for several indicators); these tests pin down that it still counts what the
report says it counts.
"""
from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from coordination import PROJECT_ROOT
from coordination.cases.models import Case, PersonRole
from coordination.consent.models import ConsentRecord, ConsentScope
from coordination.extensions import db
from coordination.followups.models import FollowUpStatus
from coordination.programmes.models import ProgrammeStatus
from coordination.protection.models import OrderKind
from coordination.reports import engine
from coordination.territories.services import territory_by_code
from tests.reports.test_reports import _withheld

PERIODS = [(datetime(2024, 1, 1), datetime(2027, 1, 1)),
           (datetime(2026, 1, 1), datetime(2026, 7, 1))]


def _in(moment, start, end) -> bool:
    return moment is not None and start <= moment < end


def _cases(code: str) -> list[Case]:
    territory = territory_by_code(code)
    cases = db.session.scalars(sa.select(Case).order_by(Case.id)).all()
    if code == "417":
        return [c for c in cases if not _withheld(c)]
    return [c for c in cases if not _withheld(c)
            and territory.id in (c.district_id, c.district.parent_id)]


def _first(case: Case, role: PersonRole):
    return min((p for p in case.people if p.role == role), key=lambda p: p.id, default=None)


def _band(age: int) -> str:
    return next(key for key, low, high in engine.AGE_BANDS
                if age >= low and (high is None or age <= high))


@pytest.mark.parametrize("code", ["417", "41706"])
@pytest.mark.parametrize(("start", "end"), PERIODS)
def test_person_breakdowns(code, start, end):
    scope = engine.Scope(territory_by_code(code), start, end)
    registered = [c for c in _cases(code) if _in(c.created_at, start, end)]
    survivors, kin = Counter(), Counter()
    for case in registered:
        survivor = _first(case, PersonRole.SURVIVOR)
        if survivor is not None and survivor.birth_year is not None:
            survivors[(_band(case.created_at.year - survivor.birth_year), survivor.sex)] += 1
        perpetrator = _first(case, PersonRole.ALLEGED_PERPETRATOR)
        if perpetrator is not None and perpetrator.relationship_to_survivor is not None:
            kin[(perpetrator.relationship_to_survivor, perpetrator.sex)] += 1
    assert engine.survivors_by_age_and_sex(scope) == dict(survivors)
    assert engine.relationship_by_perpetrator_sex(scope) == dict(kin)
    assert survivors and kin


@pytest.mark.parametrize("code", ["417", "41706"])
@pytest.mark.parametrize(("start", "end"), PERIODS)
def test_referrals_and_overdue_follow_ups(code, start, end):
    scope = engine.Scope(territory_by_code(code), start, end)
    cases = _cases(code)
    referrals = Counter((r.to_agency.type, r.status) for c in cases for r in c.referrals
                        if _in(r.sent_at, start, end))
    assert engine.referrals_by_agency_type_and_status(scope) == dict(referrals)
    assert referrals
    today = date(2026, 11, 1)
    overdue = Counter(f.owner_agency.type for c in cases for f in c.follow_ups
                      if f.status == FollowUpStatus.OPEN and f.due_on < today)
    assert engine.overdue_follow_ups_by_agency_type(scope, today) == dict(overdue)
    assert overdue


@pytest.mark.parametrize("code", ["417", "41706"])
@pytest.mark.parametrize(("start", "end"), PERIODS)
def test_indicators(code, start, end):
    scope = engine.Scope(territory_by_code(code), start, end)
    cases = _cases(code)
    registered = [c for c in cases if _in(c.created_at, start, end)]
    orders = [o for c in cases for o in c.protection_orders if _in(o.issued_at, start, end)]
    programmes = [p for c in cases for p in c.programmes]
    expected = {
        "temporary_orders": sum(o.kind == OrderKind.TEMPORARY for o in orders),
        "extended_orders": sum(o.extended_at is not None for o in orders),
        "court_orders": sum(o.kind == OrderKind.COURT for o in orders),
        "monitored_orders": sum(o.electronic_monitoring for o in orders),
        "violations": sum(_in(v.occurred_at, start, end) for c in cases
                          for o in c.protection_orders for v in o.violations),
        "programmes_started": sum(p.started_on is not None
                                  and start.date() <= p.started_on < end.date()
                                  for p in programmes),
        "programmes_completed": sum(p.status == ProgrammeStatus.COMPLETED
                                    and start.date() <= p.ended_on < end.date()
                                    for p in programmes),
        "repeat_cases": sum(c.is_repeat for c in registered),
        "bride_kidnapping": sum(any(i.bride_kidnapping for i in c.incidents)
                                for c in registered),
        "forced_marriage": sum(any(i.forced_marriage for i in c.incidents) for c in registered),
        "early_marriage": sum(any(i.early_marriage for i in c.incidents) for c in registered),
    }
    assert engine.indicators(scope) == expected
    assert expected["temporary_orders"] and any(expected.values())


def test_a_renewed_statistics_consent_counts_the_case_again(user):
    case = next(c for c in db.session.scalars(sa.select(Case).order_by(Case.id))
                if not any(r.scope == ConsentScope.STATISTICS for r in c.consents))
    scope = engine.Scope(territory_by_code("417"), *PERIODS[0])
    before = sum(engine.cases_by_unit(scope).values())
    coordinator = user("coordinator.sokuluk").id
    db.session.add(ConsentRecord(case_id=case.id, scope=ConsentScope.STATISTICS,
                                 recorded_by_id=coordinator, withdrawn_at=datetime(2026, 1, 1),
                                 withdrawn_by_id=coordinator))
    db.session.flush()
    assert sum(engine.cases_by_unit(scope).values()) == before - 1
    db.session.add(ConsentRecord(case_id=case.id, scope=ConsentScope.STATISTICS,
                                 recorded_by_id=coordinator))
    db.session.flush()
    assert sum(engine.cases_by_unit(scope).values()) == before


def test_the_engine_can_be_imported_first():
    """Its aliases need every model mapped: a script importing it first works."""
    done = subprocess.run([sys.executable, "-c", "import coordination.reports.engine"],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
