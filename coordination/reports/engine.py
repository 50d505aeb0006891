"""The aggregate engine: counts and medians computed in the database.

Every query groups in SQL (no case is loaded into Python) and is scoped to
the cases of one territory that were registered in the period and whose
survivor did not withhold consent to being counted. Results are plain
mappings of keys to numbers; ``coordination.reports.build`` turns them into
tables through disclosure control.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased

import coordination.models  # noqa: F401  (every model, before the aliases below)
from coordination.agencies.models import Agency
from coordination.cases.models import (
    Case,
    Incident,
    IncidentViolenceForm,
    Person,
    PersonRole,
)
from coordination.consent.models import ConsentRecord, ConsentScope
from coordination.database import hours_between
from coordination.extensions import db
from coordination.followups.models import FollowUp, FollowUpStatus
from coordination.programmes.models import CorrectionalProgramme, ProgrammeStatus
from coordination.protection.models import OrderKind, OrderViolation, ProtectionOrder
from coordination.referrals.models import Referral
from coordination.territories.models import Territory, TerritoryLevel

#: Age bands of the survivor (they roll up to the National Statistical
#: Committee's bands): (key, lowest age, highest age or None).
AGE_BANDS = (("0-17", 0, 17), ("18-20", 18, 20), ("21-30", 21, 30), ("31-40", 31, 40),
             ("41-50", 41, 50), ("51+", 51, None))


@dataclass(frozen=True)
class Scope:
    """Which cases a report counts."""

    territory: Territory  #: the report's territory (country, region or district)
    start: datetime  #: first moment of the period (UTC)
    end: datetime  #: first moment after the period (UTC)


def units(territory: Territory) -> list[Territory]:
    """The columns of a territorial breakdown: the territory's regions or
    districts, or the district itself."""
    if territory.level in (TerritoryLevel.COUNTRY, TerritoryLevel.REGION):
        query = sa.select(Territory).where(Territory.parent_id == territory.id,
                                           Territory.active.is_(True))
        return list(db.session.scalars(query.order_by(Territory.code)))
    return [territory]


def _unit_column(territory: Territory):
    """The SQL expression giving a case's column in the territorial breakdown."""
    if territory.level == TerritoryLevel.COUNTRY:
        district = aliased(Territory)
        return (sa.select(district.parent_id).where(district.id == Case.district_id)
                .correlate(Case).scalar_subquery())
    return Case.district_id


def _in_territory(territory: Territory):
    if territory.level == TerritoryLevel.COUNTRY:
        return sa.true()
    if territory.level == TerritoryLevel.REGION:
        return Case.district_id.in_(
            sa.select(Territory.id).where(Territory.parent_id == territory.id))
    if territory.level == TerritoryLevel.DISTRICT:
        return Case.district_id == territory.id
    return Case.municipality_id == territory.id


_WITHDRAWN = aliased(ConsentRecord)
_IN_FORCE = aliased(ConsentRecord)


def _counted():
    """Cases whose survivor did not withhold consent to statistics: no
    statistics consent was ever withdrawn without a new one in force.

    ``NOT IN`` a set computed once per query (PostgreSQL hashes it, SQLite
    builds a temporary index): the withheld cases are few, and an OR of two
    correlated EXISTS made PostgreSQL scan every consent twice per query,
    while a NOT EXISTS anti-join was planned from a bad row estimate.
    """
    withdrawn, in_force = _WITHDRAWN, _IN_FORCE
    renewed = (sa.select(in_force.id)
               .where(in_force.case_id == withdrawn.case_id,
                      in_force.scope == ConsentScope.STATISTICS,
                      in_force.withdrawn_at.is_(None))
               .correlate(withdrawn).exists())
    withheld = sa.select(withdrawn.case_id).where(
        withdrawn.scope == ConsentScope.STATISTICS, withdrawn.withdrawn_at.is_not(None),
        ~renewed)
    return Case.id.not_in(withheld)


def _cases(scope: Scope, *, registered_in_period: bool = True):
    """Conditions on :class:`Case` for the scope."""
    conditions = [_in_territory(scope.territory), _counted()]
    if registered_in_period:
        conditions += [Case.created_at >= scope.start, Case.created_at < scope.end]
    return sa.and_(*conditions)


def _grouped(query) -> dict:
    """Rows of (key..., count) as {key: count} (a tuple key for several)."""
    result = {}
    for *keys, count in db.session.execute(query):
        result[keys[0] if len(keys) == 1 else tuple(keys)] = count
    return result


# --- counts -------------------------------------------------------------------------


def cases_by_unit(scope: Scope) -> dict[int, int]:
    """Registered cases per column territory."""
    unit = _unit_column(scope.territory).label("unit")
    return _grouped(sa.select(unit, sa.func.count(Case.id)).where(_cases(scope))
                    .group_by(unit))


def cases_by_month(scope: Scope) -> dict[tuple[int, int], int]:
    """Registered cases per (year, month) of registration."""
    year = sa.extract("year", Case.created_at).label("year")
    month = sa.extract("month", Case.created_at).label("month")
    rows = db.session.execute(sa.select(year, month, sa.func.count(Case.id))
                              .where(_cases(scope)).group_by(year, month))
    return {(int(y), int(m)): n for y, m, n in rows}


def forms_by_unit(scope: Scope) -> dict[tuple[str, int], int]:
    """Cases per (form of violence, column territory); a case counts once per
    form it suffered in any incident (forms overlap)."""
    unit = _unit_column(scope.territory).label("unit")
    form = IncidentViolenceForm.form
    query = (
        sa.select(form, unit, sa.func.count(sa.distinct(Case.id)))
        .select_from(Case).join(Incident, Incident.case_id == Case.id)
        .join(IncidentViolenceForm, IncidentViolenceForm.incident_id == Incident.id)
        .where(_cases(scope)).group_by(form, unit)
    )
    return {(str(f), u): n for f, u, n in db.session.execute(query)}


_OTHER_PERSON = aliased(Person)


def _is_first(role: PersonRole):
    """Join condition: :class:`Person` is the first person of ``role`` on the case.

    A lookup per counted case (people are indexed by case), rather than
    grouping the whole people table to find every case's first person: the
    counted cases are a period's, the people table holds every year's.
    """
    other = _OTHER_PERSON
    first = (sa.select(sa.func.min(other.id))
             .where(other.case_id == Case.id, other.role == role)
             .correlate(Case).scalar_subquery())
    return Person.id == first


def survivors_by_age_and_sex(scope: Scope) -> dict[tuple[str, str], int]:
    """Primary survivors per (age band, sex); age at the case's registration."""
    age = sa.extract("year", Case.created_at) - Person.birth_year
    band = sa.case(
        *[((age <= high) if high is not None else (age >= low), key)
          for key, low, high in AGE_BANDS if high is not None],
        else_=AGE_BANDS[-1][0],
    ).label("band")
    query = (
        sa.select(band, Person.sex, sa.func.count(Case.id))
        .select_from(Case).join(Person, _is_first(PersonRole.SURVIVOR))
        .where(_cases(scope), Person.birth_year.is_not(None)).group_by(band, Person.sex)
    )
    return {(b, str(s)): n for b, s, n in db.session.execute(query)}


def relationship_by_perpetrator_sex(scope: Scope) -> dict[tuple[str, str], int]:
    """Cases per (who the alleged perpetrator is to the survivor, their sex)."""
    query = (
        sa.select(Person.relationship_to_survivor, Person.sex, sa.func.count(Case.id))
        .select_from(Case).join(Person, _is_first(PersonRole.ALLEGED_PERPETRATOR))
        .where(_cases(scope), Person.relationship_to_survivor.is_not(None))
        .group_by(Person.relationship_to_survivor, Person.sex)
    )
    return {(str(r), str(s)): n for r, s, n in db.session.execute(query)}


def _agency_type(agency_id):
    """The type of the agency ``agency_id`` as a scalar subquery.

    A join to the (small) agencies table would let the planner start from
    the agencies and walk each one's rows through an index in random order;
    a lookup keeps the period's rows as the driving side.
    """
    return (sa.select(Agency.type).where(Agency.id == agency_id)
            .correlate_except(Agency).scalar_subquery())


def referrals_by_agency_type_and_status(scope: Scope) -> dict[tuple[str, str], int]:
    """Referrals sent in the period per (receiving agency type, status)."""
    agency_type = _agency_type(Referral.to_agency_id).label("type")
    query = (
        sa.select(agency_type, Referral.status, sa.func.count(Referral.id))
        .select_from(Referral).join(Case, Case.id == Referral.case_id)
        .where(_cases(scope, registered_in_period=False),
               Referral.sent_at >= scope.start, Referral.sent_at < scope.end)
        .group_by(agency_type, Referral.status)
    )
    return {(str(t), str(s)): n for t, s, n in db.session.execute(query)}


def response_hours_by_agency_type(scope: Scope) -> dict[str, tuple[float, int]]:
    """Median hours from sending to the first answer, per receiving agency
    type: {type: (median, number of answered referrals)}.

    A portable median in SQL: number the answers per group, keep the middle
    one (or the two middle ones) and average them.
    """
    hours = hours_between(Referral.sent_at, Referral.answered_at)
    agency_type = _agency_type(Referral.to_agency_id)
    ranked = (
        sa.select(
            agency_type.label("type"), hours.label("hours"),
            sa.func.row_number().over(partition_by=agency_type, order_by=hours).label("rn"),
            sa.func.count().over(partition_by=agency_type).label("n"),
        )
        .select_from(Referral).join(Case, Case.id == Referral.case_id)
        .where(_cases(scope, registered_in_period=False), Referral.answered_at.is_not(None),
               Referral.sent_at >= scope.start, Referral.sent_at < scope.end)
        .subquery()
    )
    middle = sa.or_(ranked.c.rn == (ranked.c.n + 1) / 2, ranked.c.rn == (ranked.c.n + 2) / 2)
    query = (sa.select(ranked.c.type, sa.func.avg(ranked.c.hours), sa.func.max(ranked.c.n))
             .where(middle).group_by(ranked.c.type))
    return {str(t): (float(m), int(n)) for t, m, n in db.session.execute(query)}


def overdue_follow_ups_by_agency_type(scope: Scope, today: date) -> dict[str, int]:
    """Open follow-ups past their due date today, per owning agency type
    (a snapshot: every case of the territory, whenever registered)."""
    agency_type = _agency_type(FollowUp.owner_agency_id).label("type")
    query = (
        sa.select(agency_type, sa.func.count(FollowUp.id))
        .select_from(FollowUp).join(Case, Case.id == FollowUp.case_id)
        .where(_cases(scope, registered_in_period=False),
               FollowUp.status == FollowUpStatus.OPEN, FollowUp.due_on < today)
        .group_by(agency_type)
    )
    return {str(t): n for t, n in db.session.execute(query)}


def cases_by_risk(scope: Scope) -> dict[str | None, int]:
    """Registered cases per current risk level (None: not assessed)."""
    query = (sa.select(Case.risk_level, sa.func.count(Case.id)).where(_cases(scope))
             .group_by(Case.risk_level))
    return {(str(r) if r is not None else None): n for r, n in db.session.execute(query)}


def _counts(query, names: tuple[str, ...]) -> dict[str, int]:
    """One row of counts (``query``'s columns, in order) by name."""
    row = db.session.execute(query).one()
    return {name: int(value or 0) for name, value in zip(names, row, strict=True)}


def _count_if(condition, column=None):
    """COUNT of the rows meeting ``condition`` (of distinct ``column`` values)."""
    if column is None:
        return sa.func.count(sa.case((condition, 1)))
    return sa.func.count(sa.distinct(sa.case((condition, column))))


def indicators(scope: Scope) -> dict[str, int]:
    """Counts that are not a partition: orders, programmes, repeats, flags.

    Counts over the same rows come from one query with conditional counts,
    so each table is read once per report rather than once per indicator.
    """
    in_period = lambda column: sa.and_(column >= scope.start, column < scope.end)  # noqa: E731
    cases_here = _cases(scope, registered_in_period=False)
    start, end = scope.start.date(), scope.end.date()
    counts = _counts(
        sa.select(_count_if(ProtectionOrder.kind == OrderKind.TEMPORARY),
                  _count_if(ProtectionOrder.extended_at.is_not(None)),
                  _count_if(ProtectionOrder.kind == OrderKind.COURT),
                  _count_if(ProtectionOrder.electronic_monitoring.is_(True)))
        .join(Case, Case.id == ProtectionOrder.case_id)
        .where(cases_here, in_period(ProtectionOrder.issued_at)),
        ("temporary_orders", "extended_orders", "court_orders", "monitored_orders"))
    counts |= _counts(
        sa.select(sa.func.count(OrderViolation.id))
        .join(ProtectionOrder, ProtectionOrder.id == OrderViolation.order_id)
        .join(Case, Case.id == ProtectionOrder.case_id)
        .where(cases_here, in_period(OrderViolation.occurred_at)), ("violations",))
    counts |= _counts(
        sa.select(_count_if(sa.and_(CorrectionalProgramme.started_on >= start,
                                    CorrectionalProgramme.started_on < end)),
                  _count_if(sa.and_(CorrectionalProgramme.status == ProgrammeStatus.COMPLETED,
                                    CorrectionalProgramme.ended_on >= start,
                                    CorrectionalProgramme.ended_on < end)))
        .join(Case, Case.id == CorrectionalProgramme.case_id).where(cases_here),
        ("programmes_started", "programmes_completed"))
    counts |= _counts(sa.select(sa.func.count(Case.id))
                      .where(_cases(scope), Case.is_repeat.is_(True)), ("repeat_cases",))
    counts |= _counts(
        sa.select(*(_count_if(flag.is_(True), Case.id) for flag in (
            Incident.bride_kidnapping, Incident.forced_marriage, Incident.early_marriage)))
        .join(Incident, Incident.case_id == Case.id)
        .where(_cases(scope), sa.or_(Incident.bride_kidnapping.is_(True),
                                     Incident.forced_marriage.is_(True),
                                     Incident.early_marriage.is_(True))),
        ("bride_kidnapping", "forced_marriage", "early_marriage"))
    return counts
