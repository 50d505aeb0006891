"""After the run: did every accepted save land, and none overwrite another?

Run inside an application context on the load test's database. The ledger
lists every save the simulated users submitted, with the version their page
showed and the unique note it carried. For each object saved:

- no two accepted saves started from the same version (that is a lost
  update: the second overwrote the first without seeing it);
- the audit log holds exactly one change per accepted save made during the
  run (none unreported, none missing);
- each accepted save moved the version on by one from the page's (the
  object's version is the first accepted save's plus the number accepted),
  and the object's state is the last accepted save's (status, and the note
  it wrote).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa

from bench.load.scenario import SAVED, STALE, Save
from coordination.audit.models import AuditAction, AuditEvent
from coordination.cases.models import Person
from coordination.extensions import db
from coordination.followups.models import FollowUp
from coordination.public_ids import decode
from coordination.referrals.models import Referral

MODELS = {"referral": Referral, "follow_up": FollowUp, "person": Person}
AUDIT_ACTIONS = {"referral": AuditAction.REFERRAL_CHANGED,
                 "follow_up": AuditAction.FOLLOW_UP_CLOSED,
                 "person": AuditAction.PERSON_CORRECTED}
#: The status each step leaves (None: the record has no status), and the
#: column that keeps its note (a correction's is the patronymic it sets).
OUTCOMES = {
    ("referral", "accept"): ("accepted", None),
    ("referral", "decline"): ("declined", "decline_reason"),
    ("referral", "start"): ("in_progress", None),
    ("referral", "complete"): ("completed", "outcome"),
    ("follow_up", "done"): ("done", "closing_note"),
    ("person", "correct"): (None, "patronymic"),
}


@dataclass
class Verification:
    """What the database says about the run's saves."""

    objects: int = 0
    saved: int = 0
    stale: int = 0
    #: Objects where an accepted save was overwritten, lost, or not reported.
    lost_updates: int = 0
    problems: list[str] = field(default_factory=list)


def audit_mark() -> int:
    """The newest audit event's id: changes after it belong to the run."""
    return db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0


def verify(saves: Iterable[Save], mark: int) -> Verification:
    """Check the ledger's saves against the database (see the module docstring)."""
    by_object: dict[tuple[str, int], list[Save]] = defaultdict(list)
    for save in saves:
        # The pages name records by their URL token; the audit by their id.
        by_object[save.kind, decode(save.kind, save.object_id)].append(save)
    result = Verification(objects=len(by_object))
    changes = _audited_changes(mark)
    for (kind, object_id), attempts in sorted(by_object.items()):
        saved = sorted((s for s in attempts if s.outcome == SAVED), key=lambda s: s.base_version)
        unsure = sum(1 for s in attempts if s.outcome not in (SAVED, STALE))
        result.saved += len(saved)
        result.stale += sum(1 for s in attempts if s.outcome == STALE)
        problems = _object_problems(kind, object_id, saved, unsure,
                                    changes.get((kind, object_id), 0))
        if problems:
            result.lost_updates += 1
            result.problems.extend(f"{kind} {object_id}: {p}" for p in problems)
    return result


def _audited_changes(mark: int) -> dict[tuple[str, int], int]:
    rows = db.session.execute(
        sa.select(AuditEvent.object_type, AuditEvent.object_id, sa.func.count())
        .where(AuditEvent.id > mark, AuditEvent.action.in_(list(AUDIT_ACTIONS.values())))
        .group_by(AuditEvent.object_type, AuditEvent.object_id)
    )
    return {(kind, object_id): count for kind, object_id, count in rows}


def _object_problems(kind: str, object_id: int, saved: list[Save], unsure: int,
                     audited: int) -> list[str]:
    problems = []
    bases = [s.base_version for s in saved]
    if len(set(bases)) != len(bases):
        problems.append(f"two saves accepted from the same version ({bases})")
    if not len(saved) <= audited <= len(saved) + unsure:
        problems.append(f"{audited} changes audited for {len(saved)} accepted saves")
    if not saved or unsure:
        return problems
    obj = db.session.get(MODELS[kind], object_id)
    last = saved[-1]
    chain = list(range(bases[0], bases[0] + len(saved)))
    if bases != chain or obj.version != chain[-1] + 1:
        problems.append(f"version {obj.version} after saves accepted from versions {bases}")
    status, note_column = OUTCOMES[kind, last.step]
    if status and obj.status.value != status:
        problems.append(f"status is {obj.status.value}, the last accepted save set {status}")
    if note_column and getattr(obj, note_column) != last.note:
        problems.append(f"{note_column} is not the last accepted save's")
    return problems
