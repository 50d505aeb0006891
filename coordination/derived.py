"""Rows derived from the case records, kept current in the same transaction.

Two structures are computed from a case's record: who may see it
(``coordination.visibility.index``) and its statistical records
(``coordination.statistics.layer``). Every flush notes the cases whose rows
may change. The access rows are redone at the end of that flush, so that
every later query of the transaction lists what the policy allows; the
statistical records just before the transaction commits (once, however many
flushes). An agency whose type or territory changes has its access rows
redone.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from coordination.extensions import db

_PENDING = "derived_pending"
_ACCESS = "derived_access_pending"

#: Set by :func:`install`: the classes whose rows belong to a case.
_BY_CASE: tuple[type, ...] = ()
_BY_INCIDENT: tuple[type, ...] = ()
_BY_ORDER: tuple[type, ...] = ()
_CASE: type | None = None
#: An incoming report has statistical records of its own, with or without a case.
_REPORT: type | None = None
_AGENCY: type | None = None


def _new_pending() -> dict[str, set]:
    return {"case": set(), "incident": set(), "order": set(), "agency": set(), "report": set()}


def _pending(session: Session) -> list[dict[str, set]]:
    """What the commit (statistics) and the end of the flush (access) will redo."""
    return [session.info.setdefault(_PENDING, _new_pending()),
            session.info.setdefault(_ACCESS, _new_pending())]


def _agency_moved(obj) -> set[int] | None:
    """The territories before and after, when an agency's type or territory changed."""
    state = sa.inspect(obj)
    territory, kind = state.attrs.territory_id.history, state.attrs.type.history
    if not (territory.has_changes() or kind.has_changes()):
        return None
    return {t for t in (*territory.deleted, *territory.added, obj.territory_id) if t}


def _key(obj) -> tuple[str, object] | None:
    if isinstance(obj, _REPORT):
        return "report", obj.id
    if isinstance(obj, _CASE):
        return "case", obj.id
    if isinstance(obj, _BY_INCIDENT):
        return "incident", obj.incident_id
    if isinstance(obj, _BY_ORDER):
        return "order", obj.order_id
    if isinstance(obj, _BY_CASE):
        return "case", obj.case_id
    if isinstance(obj, _AGENCY) and obj.id is not None:
        moved = _agency_moved(obj)
        return ("agency", (obj.id, frozenset(moved))) if moved is not None else None
    return None


def _note(session: Session, obj) -> None:
    key = _key(obj)
    if key is not None and key[1] is not None:
        statistics, access = _pending(session)
        # A report decides no one's access: only its statistical records.
        for pending in (statistics,) if key[0] == "report" else (statistics, access):
            pending[key[0]].add(key[1])


def _after_flush(session: Session, _context) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, (_CASE, _AGENCY, _REPORT, *_BY_INCIDENT, *_BY_ORDER, *_BY_CASE)):
            _note(session, obj)


def _case_ids(session: Session, pending: dict[str, set]) -> set[int]:
    from coordination.cases.models import Incident
    from coordination.protection.models import ProtectionOrder
    from coordination.statistics.records import report_key

    ids = {i for i in pending["case"] if i is not None}
    ids |= {report_key(i) for i in pending.get("report", ())}
    if pending["incident"]:
        ids |= set(session.scalars(sa.select(Incident.case_id)
                                   .where(Incident.id.in_(pending["incident"]))))
    if pending["order"]:
        ids |= set(session.scalars(sa.select(ProtectionOrder.case_id)
                                   .where(ProtectionOrder.id.in_(pending["order"]))))
    return ids


def _after_flush_postexec(session: Session, _context) -> None:
    from coordination.visibility import index

    pending = session.info.pop(_ACCESS, None)
    if session is not db.session() or not pending:
        return
    ids = _case_ids(session, pending)
    if ids:
        index.refresh(ids)
    for agency_id, territories in pending["agency"]:
        index.rebuild_agency(agency_id, territories)


def _before_commit(session: Session) -> None:
    from coordination.statistics import layer

    if session is not db.session():
        return
    session.flush()  # the commit's own flush comes after this hook
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    ids = _case_ids(session, pending)
    if ids:
        layer.refresh(ids)


def _forget(session: Session, *_args) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_ACCESS, None)


def install() -> None:
    """Listen to every session's flushes and commits (once per process)."""
    global _BY_CASE, _BY_INCIDENT, _BY_ORDER, _CASE, _AGENCY, _REPORT
    if _CASE is not None:
        return
    from coordination.agencies.models import Agency
    from coordination.cases.models import (
        Case,
        Incident,
        IncidentViolenceForm,
        Person,
        TimelineEvent,
    )
    from coordination.consent.models import ConsentRecord
    from coordination.followups.models import FollowUp
    from coordination.order_checks.models import OrderCheck
    from coordination.programmes.models import CorrectionalProgramme
    from coordination.protection.models import OrderViolation, ProtectionOrder
    from coordination.referrals.models import Referral
    from coordination.transfers.models import CaseTransfer
    from coordination.triage.models import IncomingReport

    _CASE, _AGENCY, _REPORT = Case, Agency, IncomingReport
    _BY_INCIDENT, _BY_ORDER = (IncidentViolenceForm,), (OrderViolation, OrderCheck)
    _BY_CASE = (Person, Incident, ProtectionOrder, Referral, CorrectionalProgramme,
                ConsentRecord, TimelineEvent, FollowUp, CaseTransfer)
    sa.event.listen(Session, "after_flush", _after_flush)
    sa.event.listen(Session, "after_flush_postexec", _after_flush_postexec)
    sa.event.listen(Session, "before_commit", _before_commit)
    sa.event.listen(Session, "after_rollback", _forget)
