"""Computing the case-access rows: the policy's case rule, case by case.

``agencies_seeing`` mirrors ``policy._visible_case_ids`` (who opened, leads,
referred, received a referral not declined, owns delegated work, runs the
programme, issued an order; a committee the cases of its territory; the
former lead and committee of a case moved away until it is closed), set-wise
for a batch of cases. ``refresh`` replaces the rows of some cases in the
current transaction; the tracker (``coordination.derived``) calls it before
every commit that changed who is involved; ``rebuild_agency`` follows an
agency whose type or territory changed; ``rebuild`` does every case.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator

import sqlalchemy as sa

from coordination.agencies.models import Agency, AgencyType
from coordination.cases.models import Case, CaseStatus
from coordination.extensions import db
from coordination.followups.models import FollowUp
from coordination.programmes.models import CorrectionalProgramme
from coordination.protection.models import ProtectionOrder
from coordination.referrals.models import Referral
from coordination.territories.models import Territory, TerritoryLevel
from coordination.territories.queries import located_in
from coordination.transfers.models import CaseTransfer, TransferStatus
from coordination.visibility.models import CaseAccess

BATCH = 500


def _chunks(ids: list[int], size: int = BATCH) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


class _Committees:
    """The committees below the whole country, by the territory they cover."""

    def __init__(self):
        self.by_territory: dict[int, list[int]] = defaultdict(list)
        for agency_id, territory_id in db.session.execute(
                sa.select(Agency.id, Agency.territory_id).join(Territory)
                .where(Agency.type == AgencyType.COMMITTEE,
                       Territory.level != TerritoryLevel.COUNTRY)):
            self.by_territory[territory_id].append(agency_id)
        self.region_of = dict(db.session.execute(
            sa.select(Territory.id, Territory.parent_id)
            .where(Territory.level == TerritoryLevel.DISTRICT)).all())

    def covering(self, district_id: int, municipality_id: int | None) -> list[int]:
        """Committees whose territory holds a place (``territories.located_in``)."""
        places = [district_id, self.region_of.get(district_id), municipality_id]
        return [agency for place in places if place is not None
                for agency in self.by_territory.get(place, ())]


def _pairs(query) -> Iterable[tuple[int, int]]:
    return db.session.execute(query).all()


def agencies_seeing(case_ids: list[int]) -> dict[int, set[int]]:
    """{case id: ids of the agencies that see it} (the whole-country committee aside)."""
    from coordination.policy import RECEIVER_INVOLVED

    committees = _Committees()
    seeing: dict[int, set[int]] = defaultdict(set)
    cases = db.session.execute(sa.select(
        Case.id, Case.opening_agency_id, Case.lead_agency_id, Case.district_id,
        Case.municipality_id, Case.status).where(Case.id.in_(case_ids))).all()
    for case in cases:
        seeing[case.id] |= {case.opening_agency_id, case.lead_agency_id,
                            *committees.covering(case.district_id, case.municipality_id)}
    involved = (
        sa.select(Referral.case_id, Referral.from_agency_id).where(Referral.case_id.in_(case_ids)),
        sa.select(Referral.case_id, Referral.to_agency_id).where(
            Referral.case_id.in_(case_ids), Referral.status.in_(RECEIVER_INVOLVED)),
        sa.select(FollowUp.case_id, FollowUp.owner_agency_id).where(
            FollowUp.case_id.in_(case_ids), FollowUp.self_assigned.is_(False)),
        sa.select(CorrectionalProgramme.case_id, CorrectionalProgramme.provider_agency_id)
        .where(CorrectionalProgramme.case_id.in_(case_ids)),
        sa.select(ProtectionOrder.case_id, ProtectionOrder.issuing_agency_id)
        .where(ProtectionOrder.case_id.in_(case_ids)),
    )
    for query in involved:
        for case_id, agency_id in _pairs(query):
            seeing[case_id].add(agency_id)
    open_cases = [case.id for case in cases if case.status != CaseStatus.CLOSED]
    for transfer in db.session.execute(sa.select(
            CaseTransfer.case_id, CaseTransfer.from_lead_agency_id,
            CaseTransfer.from_district_id, CaseTransfer.from_municipality_id)
            .where(CaseTransfer.case_id.in_(open_cases),
                   CaseTransfer.status == TransferStatus.ACCEPTED)):
        # A case moved away stays readable by its former lead and committee until closed.
        seeing[transfer.case_id] |= {transfer.from_lead_agency_id, *committees.covering(
            transfer.from_district_id, transfer.from_municipality_id)}
    return seeing


#: The case's columns each access row carries: the list's order and filters.
_COPIED = (Case.created_at, Case.status, Case.risk_level, Case.district_id)


def refresh(case_ids: Iterable[int]) -> None:
    """Replace the access rows of ``case_ids`` with what the rule says now."""
    table = CaseAccess.__table__
    for chunk in _chunks(sorted(set(case_ids))):
        db.session.execute(table.delete().where(table.c.case_id.in_(chunk)))
        copied = {row.id: row for row in db.session.execute(
            sa.select(Case.id, *_COPIED).where(Case.id.in_(chunk)))}
        rows = [{"agency_id": agency_id, "case_id": case_id,
                 **{column.key: getattr(copied[case_id], column.key) for column in _COPIED}}
                for case_id, agencies in agencies_seeing(chunk).items()
                for agency_id in agencies]
        if rows:
            db.session.execute(table.insert(), rows)


def rebuild_agency(agency_id: int, territory_ids: Iterable[int] = ()) -> None:
    """Follow an agency whose type or territory changed: the cases it saw and
    the cases of the territories it covers (before and after) are redone."""
    table = CaseAccess.__table__
    ids = set(db.session.scalars(sa.select(table.c.case_id).where(
        table.c.agency_id == agency_id)))
    for territory_id in set(territory_ids):
        territory = db.session.get(Territory, territory_id)
        if territory is not None and territory.level != TerritoryLevel.COUNTRY:
            ids |= set(db.session.scalars(sa.select(Case.id).where(
                located_in(territory, Case.district_id, Case.municipality_id))))
    refresh(ids)


def rebuild(progress: Callable[[int], None] | None = None,
            commit: Callable[[], None] | None = None) -> None:
    """Recompute every access row (``flask visibility rebuild``)."""
    table = CaseAccess.__table__
    db.session.execute(table.delete().where(table.c.case_id.not_in(sa.select(Case.id))))
    ids = list(db.session.scalars(sa.select(Case.id).order_by(Case.id)))
    for chunk in _chunks(ids, 5000):
        refresh(chunk)
        if commit is not None:
            commit()
        if progress is not None:
            progress(len(chunk))


def differences(case_ids: Iterable[int] | None = None) -> int:
    """How many access rows differ from the rule, or carry a case's
    registration, status, risk or district other than the case's (0: equal)."""
    table = CaseAccess.__table__
    ids = (list(db.session.scalars(sa.select(Case.id))) if case_ids is None
           else list(case_ids))
    copies = [getattr(table.c, column.key) for column in _COPIED]
    stored = set(db.session.execute(sa.select(table.c.case_id, table.c.agency_id, *copies)
                                    .where(table.c.case_id.in_(ids))).all())
    expected = set()
    for chunk in _chunks(ids, 5000):
        copied = {row[0]: tuple(row[1:]) for row in db.session.execute(
            sa.select(Case.id, *_COPIED).where(Case.id.in_(chunk)))}
        expected |= {(case_id, agency_id, *copied[case_id]) for case_id, agencies in
                     agencies_seeing(chunk).items() for agency_id in agencies}
    return len(stored ^ expected)
