"""What the read replica's tests share: who acts on which case, and a record
of the statements each database was sent."""
from __future__ import annotations

import re
from contextlib import contextmanager

import sqlalchemy as sa

from coordination import policy
from coordination.accounts.models import User
from coordination.cases.models import Case, CaseStatus
from coordination.extensions import db
from tests.helpers import csrf_token, pid

#: The user who changes a case, and a colleague who sees the same case.
WRITER, COLLEAGUE = "coordinator.sokuluk", "police.sokuluk"


class Statements:
    """The SQL one engine was sent while :meth:`watching` (SELECTs and the rest)."""

    def __init__(self, engine):
        self.engine = engine
        self.sent: list[str] = []

    def _note(self, _connection, _cursor, statement, *_args):
        self.sent.append(" ".join(statement.split()))

    @contextmanager
    def watching(self):
        self.sent.clear()
        sa.event.listen(self.engine, "before_cursor_execute", self._note)
        try:
            yield self
        finally:
            sa.event.remove(self.engine, "before_cursor_execute", self._note)

    def page_queries(self) -> list[str]:
        """What a page asked, without the router's question to the replica."""
        return [s for s in self.sent if "pg_last_wal_replay_lsn" not in s]

    def case_list_queries(self) -> list[str]:
        return [s for s in self.sent if s.upper().startswith("SELECT") and "FROM cases" in s]

    def changes(self) -> list[str]:
        return [s for s in self.sent if s.upper().startswith(("UPDATE", "INSERT", "DELETE"))]


def shared_case(session) -> Case:
    """An open case led by the writer's agency that the colleague sees too."""
    writer = session.scalar(sa.select(User).where(User.username == WRITER))
    colleague = session.scalar(sa.select(User).where(User.username == COLLEAGUE))
    both = policy.visible_cases(writer).where(
        Case.id.in_(policy.visible_cases(colleague).with_only_columns(Case.id)),
        Case.status.notin_([CaseStatus.MONITORING, CaseStatus.CLOSED]))
    for case in session.scalars(both.order_by(Case.id)):
        if policy.can(writer, policy.Action.CHANGE_CASE_STATUS, case, case_visible=True):
            return case
    raise AssertionError("the demo has no case the two users share")


def monitoring_list(case: Case) -> str:
    """The case list searched for the case, among cases under monitoring."""
    return f"/cases?q={case.reference}&status={CaseStatus.MONITORING.value}"


def listed(response, case: Case) -> bool:
    assert response.status_code == 200
    return case.reference in re.findall(r">(DV-\d{4}-[0-9A-Z]{6})</a>", response.text)


def put_under_monitoring(client, case: Case):
    token = csrf_token(client.get("/profile").text)
    return client.post(f"/cases/{pid(case)}/status", data={
        "csrf_token": token, "status": CaseStatus.MONITORING.value, "closure_reason": "",
        "version": case.version})


def reload(case: Case) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case.id)
