"""The statistical records of a set of cases, computed from the case records.

One function, :func:`records_for`, serves both the refresh after a change
and the rebuild: a handful of set-based queries per batch of cases (never a
query per case), coded in Python (``codes``), returned as plain rows without
keys (``layer`` gives each unit its key).

Units and their date basis (the ``month`` column):

* ``case``: registration; ``survivor`` (every person recorded as a survivor,
  children included): the case's registration;
* ``incident`` and ``form`` (one per form of violence of an incident) and
  ``flag`` (bride kidnapping, forced or early marriage): the incident's date;
* ``order``: issue; ``extension``: extension; ``violation``: the violation;
  ``check`` (a check of an order, corrections left out): the order's issue;
* ``referral``: sending; ``programme_start``: start; ``programme_end``: end;
* ``closure``: the case's closing; ``open_follow_up``: the due date;
* ``report`` (an incoming report from 102, 112, 117, 111 or elsewhere, in
  the triage queue, whether or not it became a case): its receipt. Its
  ``case_id`` is minus the report's id (:func:`report_key`), for a report
  may have no case; the source is its ``reporter``, its state today its
  ``outcome``, the time to the first triage decision its ``tenths`` and
  ``in_time`` (within ``REPORT_FIRST_ACTION_HOURS``).

Where: a unit is counted in the district the case was in when the unit
happened (its date above). A case moved to another district (an accepted
transfer, issue 16) keeps its earlier units where they happened: the
``from_district_id`` of the first accepted transfer answered after the
unit's moment, or the case's present district when there is none. An open
follow-up is a present state and counts where the case is now.

The consent rule, the one rule applied: a case whose consent to statistics
was withdrawn, with no later consent to statistics in force, has no records.
A report is the call, counted before anyone asked the survivor; it carries
no survivor's dimension, and the rule does not reach it.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from coordination.agencies.models import Agency
from coordination.cases.models import (
    Case,
    CaseStatus,
    Incident,
    IncidentViolenceForm,
    Person,
    PersonRole,
    TimelineEvent,
    TimelineKind,
)
from coordination.consent.models import ConsentRecord, ConsentScope
from coordination.extensions import db
from coordination.followups.models import FollowUp, FollowUpStatus
from coordination.programmes.models import CorrectionalProgramme, ProgrammeStatus
from coordination.protection.models import OrderViolation, ProtectionOrder
from coordination.referrals.models import Referral
from coordination.statistics import codes
from coordination.statistics.codes import flag, local_date, local_month, month_of, value_of
from coordination.statistics.models import NOT_RECORDED
from coordination.territories.models import Territory
from coordination.transfers.models import CaseTransfer, TransferStatus

MARRIAGE_FLAGS = ("bride_kidnapping", "forced_marriage", "early_marriage")


def _rows(query) -> list:
    return list(db.session.execute(query))


def among(column, ids: list[int]):
    """``column IN ids``. On PostgreSQL one array parameter (``= ANY``): a
    batch of 2,000 ids is then one short statement that the driver caches,
    not 2,000 placeholders parsed again for every query of every batch."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam(None, list(ids), type_=ARRAY(sa.Integer)))
    return column.in_(ids)


def _withheld(case_ids: list[int]) -> set[int]:
    """The cases of ``case_ids`` whose survivor withheld consent to statistics."""
    rows = _rows(sa.select(ConsentRecord.case_id, ConsentRecord.withdrawn_at)
                 .where(among(ConsentRecord.case_id, case_ids),
                        ConsentRecord.scope == ConsentScope.STATISTICS))
    withdrawn, in_force = set(), set()
    for case_id, withdrawn_at in rows:
        (withdrawn if withdrawn_at is not None else in_force).add(case_id)
    return withdrawn - in_force


class _Context:
    """What the records of one batch are computed from, loaded set-wise."""

    def __init__(self, case_ids: list[int]):
        self.regions = dict(_rows(sa.select(Territory.id, Territory.parent_id)))
        self.agency_types = {i: t.value for i, t in _rows(sa.select(Agency.id, Agency.type))}
        withheld = _withheld(case_ids)
        self.cases = {row.id: row for row in _rows(
            sa.select(Case.id, Case.district_id, Case.created_at, Case.is_repeat,
                      Case.risk_level, Case.status, Case.closure_reason)
            .where(among(Case.id, case_ids))) if row.id not in withheld}
        ids = list(self.cases)
        self.people = defaultdict(list)
        for row in _rows(sa.select(Person.case_id, Person.id, Person.role, Person.sex,
                                   Person.birth_year, Person.relationship_to_survivor)
                         .where(among(Person.case_id, ids)).order_by(Person.id)):
            self.people[row.case_id].append(row)
        self.incidents = defaultdict(list)
        for row in _rows(sa.select(Incident).where(among(Incident.case_id, ids))
                         .with_only_columns(Incident.case_id, Incident.id, Incident.occurred_on,
                                            Incident.reported_by,
                                            *(getattr(Incident, f) for f in MARRIAGE_FLAGS))):
            self.incidents[row.case_id].append(row)
        self.forms = defaultdict(list)
        for incident_id, form in _rows(
                sa.select(IncidentViolenceForm.incident_id, IncidentViolenceForm.form)
                .join(Incident, Incident.id == IncidentViolenceForm.incident_id)
                .where(among(Incident.case_id, ids))):
            self.forms[incident_id].append(form)
        #: Accepted moves of each case, oldest first: (answered at, district left).
        self.moves = defaultdict(list)
        for row in _rows(sa.select(CaseTransfer.case_id, CaseTransfer.answered_at,
                                   CaseTransfer.from_district_id)
                         .where(among(CaseTransfer.case_id, ids),
                                CaseTransfer.status == TransferStatus.ACCEPTED,
                                CaseTransfer.answered_at.is_not(None))
                         .order_by(CaseTransfer.answered_at, CaseTransfer.id)):
            self.moves[row.case_id].append((row.answered_at, row.from_district_id))
        self.ids = ids

    def region(self, district_id: int) -> int:
        return self.regions.get(district_id) or district_id

    def district_at(self, case, at: date | datetime | None) -> int:
        """The district ``case`` was in at ``at`` (None: now)."""
        if at is not None:
            for answered_at, left in self.moves.get(case.id, ()):
                moved = local_date(answered_at) if not isinstance(at, datetime) else answered_at
                if moved > at:
                    return left
        return case.district_id

    def first(self, case_id: int, role: PersonRole):
        return next((p for p in self.people[case_id] if p.role == role), None)


def _base(context: _Context, case, unit: str, source_id: int, month: int,
          at: date | datetime | None, **codes_) -> dict:
    """One record, in the district the case was in at ``at`` (the unit's moment)."""
    district_id = context.district_at(case, at)
    return {"unit": unit, "case_id": case.id, "source_id": source_id, "month": month,
            "region_id": context.region(district_id), "district_id": district_id,
            **codes_}


def _case_records(context: _Context, case) -> Iterable[dict]:
    registered = local_date(case.created_at)
    month = month_of(registered)
    perpetrator = context.first(case.id, PersonRole.ALLEGED_PERPETRATOR)
    survivor = context.first(case.id, PersonRole.SURVIVOR)
    relation = perpetrator.relationship_to_survivor if perpetrator else None
    before = [i.occurred_on for i in context.incidents[case.id] if i.occurred_on <= registered]
    yield _base(context, case, "case", case.id, month, case.created_at,
                sex=value_of(survivor.sex if survivor else None),
                relationship=value_of(relation),
                perpetrator_sex=value_of(perpetrator.sex if perpetrator else None),
                intimate=flag(relation in codes.INTIMATE) if relation else NOT_RECORDED,
                risk=value_of(case.risk_level), repeat=flag(case.is_repeat),
                lag=codes.lag_band(max(before, default=None), registered))
    for person in context.people[case.id]:
        if person.role == PersonRole.SURVIVOR:
            yield _base(context, case, "survivor", person.id, month, case.created_at,
                        sex=value_of(person.sex),
                        age_band=codes.age_band(person.birth_year, registered.year),
                        relationship=value_of(relation), intimate=flag(relation in codes.INTIMATE)
                        if relation else NOT_RECORDED)


def _incident_records(context: _Context, case) -> Iterable[dict]:
    survivor = context.first(case.id, PersonRole.SURVIVOR)
    sex = value_of(survivor.sex if survivor else None)
    for incident in context.incidents[case.id]:
        month = month_of(incident.occurred_on)
        yield _base(context, case, "incident", incident.id, month, incident.occurred_on,
                    sex=sex,
                    reporter=value_of(incident.reported_by))
        for form in context.forms[incident.id] or [None]:
            yield _base(context, case, "form", incident.id, month, incident.occurred_on,
                        sex=sex, form=value_of(form))
        for name in MARRIAGE_FLAGS:
            if getattr(incident, name):
                yield _base(context, case, "flag", incident.id, month, incident.occurred_on,
                            form=name)


def _order_records(context: _Context, cases: dict) -> Iterable[dict]:
    orders = _rows(sa.select(ProtectionOrder.id, ProtectionOrder.case_id, ProtectionOrder.kind,
                             ProtectionOrder.issued_at, ProtectionOrder.extended_at,
                             ProtectionOrder.electronic_monitoring)
                   .where(among(ProtectionOrder.case_id, context.ids)))
    checks = _checks([order.id for order in orders])
    for order in orders:
        case = cases[order.case_id]
        sex = _survivor_sex(context, case.id)
        month = local_month(order.issued_at)
        on_time = [check.on_time for check in checks.get(order.id, [])]
        # Checked on schedule: at least one check recorded, and none of them late.
        yield _base(context, case, "order", order.id, month, order.issued_at,
                    sex=sex, outcome=order.kind.value,
                    monitored=flag(order.electronic_monitoring),
                    in_time=flag(bool(on_time) and all(on_time)))
        for check, timely in zip(checks.get(order.id, []), on_time, strict=True):
            yield _base(context, case, "check", check.id, month, order.issued_at,
                        in_time=flag(timely))
        if order.extended_at is not None:
            yield _base(context, case, "extension", order.id, local_month(order.extended_at),
                        order.extended_at,
                        sex=sex, outcome=order.kind.value)
    for violation in _rows(sa.select(OrderViolation.id, OrderViolation.occurred_at,
                                     OrderViolation.recorded_at, ProtectionOrder.case_id,
                                     ProtectionOrder.kind, FollowUp.status, FollowUp.closed_at)
                           .join(ProtectionOrder, ProtectionOrder.id == OrderViolation.order_id)
                           .join(FollowUp, FollowUp.id == OrderViolation.follow_up_id)
                           .where(among(ProtectionOrder.case_id, context.ids))):
        case = cases[violation.case_id]
        # The police's response: the urgent follow-up the breach created, done.
        answered = (violation.closed_at if violation.status == FollowUpStatus.DONE
                    and violation.closed_at is not None else None)
        yield _base(context, case, "violation", violation.id,
                    local_month(violation.occurred_at), violation.occurred_at,
                    sex=_survivor_sex(context, case.id),
                    outcome=violation.kind.value, in_time=flag(answered is not None),
                    tenths=_tenths(violation.recorded_at, answered))


def _tenths(start, end) -> int:
    """Tenths of an hour from ``start`` to ``end`` (-1: no end)."""
    return -1 if end is None else max(0, round((end - start).total_seconds() / 360))


def _checks(order_ids: list[int]) -> dict[int, list]:
    """The checks recorded for each order (corrections left out), in order."""
    from coordination.order_checks.models import OrderCheck

    found: dict[int, list] = defaultdict(list)
    for check in db.session.scalars(sa.select(OrderCheck)
                                    .where(among(OrderCheck.order_id, order_ids),
                                           OrderCheck.corrects_id.is_(None))
                                    .order_by(OrderCheck.order_id, OrderCheck.sequence)):
        found[check.order_id].append(check)
    return found


def _survivor_sex(context: _Context, case_id: int) -> str:
    survivor = context.first(case_id, PersonRole.SURVIVOR)
    return value_of(survivor.sex if survivor else None)


def _referral_records(context: _Context, cases: dict) -> Iterable[dict]:
    for referral in _rows(sa.select(Referral.id, Referral.case_id, Referral.to_agency_id,
                                    Referral.service, Referral.status, Referral.sent_at,
                                    Referral.respond_by, Referral.answered_at)
                          .where(among(Referral.case_id, context.ids))):
        answered = referral.answered_at
        tenths = _tenths(referral.sent_at, answered)
        yield _base(context, cases[referral.case_id], "referral", referral.id,
                    local_month(referral.sent_at), referral.sent_at,
                    agency_type=context.agency_types.get(referral.to_agency_id, NOT_RECORDED),
                    service=referral.service.value, outcome=referral.status.value,
                    tenths=tenths,
                    in_time="" if answered is None else flag(answered <= referral.respond_by))


def _programme_records(context: _Context, cases: dict) -> Iterable[dict]:
    ended = (ProgrammeStatus.COMPLETED, ProgrammeStatus.DROPPED_OUT)
    for programme in _rows(sa.select(CorrectionalProgramme.id, CorrectionalProgramme.case_id,
                                     CorrectionalProgramme.status,
                                     CorrectionalProgramme.started_on,
                                     CorrectionalProgramme.ended_on)
                           .where(among(CorrectionalProgramme.case_id, context.ids))):
        case = cases[programme.case_id]
        if programme.started_on is not None:
            yield _base(context, case, "programme_start", programme.id,
                        month_of(programme.started_on), programme.started_on)
        if programme.status in ended and programme.ended_on is not None:
            yield _base(context, case, "programme_end", programme.id,
                        month_of(programme.ended_on), programme.ended_on,
                        outcome=programme.status.value)


def _closure_records(context: _Context, cases: dict) -> Iterable[dict]:
    closed = [i for i in context.ids if cases[i].status == CaseStatus.CLOSED]
    if not closed:
        return
    for case_id, at in _rows(sa.select(TimelineEvent.case_id, sa.func.max(TimelineEvent.at))
                             .where(among(TimelineEvent.case_id, closed),
                                    TimelineEvent.kind == TimelineKind.CASE_CLOSED)
                             .group_by(TimelineEvent.case_id)):
        case = cases[case_id]
        yield _base(context, case, "closure", case_id, local_month(at), at,
                    outcome=value_of(case.closure_reason))


def _follow_up_records(context: _Context, cases: dict) -> Iterable[dict]:
    for follow_up in _rows(sa.select(FollowUp.id, FollowUp.case_id, FollowUp.owner_agency_id,
                                     FollowUp.due_on)
                           .where(among(FollowUp.case_id, context.ids),
                                  FollowUp.status == FollowUpStatus.OPEN)):
        yield _base(context, cases[follow_up.case_id], "open_follow_up", follow_up.id,
                    month_of(follow_up.due_on), None,
                    agency_type=context.agency_types.get(follow_up.owner_agency_id,
                                                         NOT_RECORDED))


#: The first triage decision counts as "in time" within this many hours.
REPORT_FIRST_ACTION_HOURS = 24


def report_key(report_id: int) -> int:
    """The ``case_id`` of a report's record: minus its id (cases are positive)."""
    return -report_id


def report_records(report_ids: list[int]) -> list[dict]:
    """The records of the incoming reports ``report_ids``."""
    from coordination.triage.models import IncomingReport

    if not report_ids:
        return []
    regions = dict(_rows(sa.select(Territory.id, Territory.parent_id)))
    deadline = timedelta(hours=REPORT_FIRST_ACTION_HOURS)
    records = []
    for report in _rows(sa.select(IncomingReport.id, IncomingReport.source,
                                  IncomingReport.received_at, IncomingReport.district_id,
                                  IncomingReport.status, IncomingReport.first_action_at)
                        .where(among(IncomingReport.id, report_ids))):
        acted = report.first_action_at
        records.append({
            "unit": "report", "case_id": report_key(report.id), "source_id": report.id,
            "month": local_month(report.received_at),
            "region_id": regions.get(report.district_id) or report.district_id,
            "district_id": report.district_id, "reporter": report.source.value,
            "outcome": report.status.value, "tenths": _tenths(report.received_at, acted),
            "in_time": "" if acted is None else flag(acted - report.received_at <= deadline)})
    return records


def records_for(case_ids: Iterable[int]) -> list[dict]:
    """Every statistical record of the cases ``case_ids`` (keys not included);
    a negative id stands for a report (:func:`report_key`)."""
    case_ids = sorted(set(case_ids))
    reports = report_records([-i for i in case_ids if i < 0])
    case_ids = [i for i in case_ids if i > 0]
    if not case_ids:
        return reports
    context = _Context(case_ids)
    cases = context.cases
    records: list[dict] = []
    for case in cases.values():
        records.extend(_case_records(context, case))
        records.extend(_incident_records(context, case))
    for part in (_order_records, _referral_records, _programme_records, _closure_records,
                 _follow_up_records):
        records.extend(part(context, cases))
    return records + reports
