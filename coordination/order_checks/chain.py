"""The hash chain over an order's check records.

Each record's hash is the SHA-256 of a canonical JSON of its fields and the
previous record's hash (64 zeros for the first), so that changing, removing
or reordering a stored record breaks every hash after it. The note enters
the canonical form as its SHA-256 (``note_sha256``, stored beside it): the
retention rule clears the notes of an anonymized case's orders, and a note
cleared that way (a dash, on a case with a ``case_anonymized`` audit event)
is expected; any other note must match its digest. The verification
recomputes the chains from the stored rows and names what differs by the
order's public token and the record's place in its chain, never by anything
personal.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from coordination.audit.models import AuditAction, AuditEvent
from coordination.extensions import db
from coordination.models_base import REMOVED
from coordination.order_checks.models import OrderCheck
from coordination.protection.models import ProtectionOrder
from coordination.public_ids import encode

GENESIS = "0" * 64


def _moment(value: datetime | None) -> str | None:
    # Whole seconds: both databases keep them exactly (microseconds are dropped
    # by the service before storing, so what is hashed is what is stored).
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%S")


def canonical(check: OrderCheck, previous_hash: str) -> bytes:
    """The bytes hashed for ``check``: sorted keys, no spaces, UTF-8."""
    fields = {
        "order": check.order_id,
        "sequence": check.sequence,
        "checked_by": check.checked_by_id,
        "method": check.method.value,
        "outcome": check.outcome.value,
        **({"note_sha256": check.note_sha256} if check.note_sha256 is not None
           else {"note": check.note or ""}),
        "stated_at": _moment(check.stated_at),
        "recorded_at": _moment(check.recorded_at),
        "due_at": _moment(check.due_at),
        "corrects": check.corrects_id,
        "previous": previous_hash,
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def digest(check: OrderCheck, previous_hash: str) -> str:
    return hashlib.sha256(canonical(check, previous_hash)).hexdigest()


def note_digest(note: str | None) -> str:
    """The SHA-256 of a note as stored (the chain hashes this, not the note)."""
    return hashlib.sha256((note or "").encode("utf-8")).hexdigest()


def _orders_of_anonymized_cases() -> set[int]:
    """Orders whose case the retention rule has anonymized (audited)."""
    return set(db.session.scalars(
        sa.select(ProtectionOrder.id).join(
            AuditEvent, sa.and_(AuditEvent.object_id == ProtectionOrder.case_id,
                                AuditEvent.object_type == "case",
                                AuditEvent.action == AuditAction.CASE_ANONYMIZED))
        .distinct()))


def _note_as_recorded(check: OrderCheck, anonymized: set[int]) -> bool:
    """The stored note is the one recorded, or was cleared by retention."""
    if check.note_sha256 is None:
        return True  # an older record: its note is inside its hash
    if check.note_sha256 == note_digest(check.note):
        return True
    return check.note == REMOVED and check.order_id in anonymized


@dataclass(frozen=True)
class Break:
    """One place where a stored chain differs from its recomputation."""

    order_token: str
    sequence: int
    problem: str

    def __str__(self) -> str:
        return f"order {self.order_token} check {self.sequence}: {self.problem}"


def verify(batch: int = 1000) -> list[Break]:
    """Recompute every order's chain from the stored rows; the breaks found.

    Reads the checks in (order, sequence) order, a batch at a time, so memory
    stays flat however many there are.
    """
    breaks: list[Break] = []
    anonymized = _orders_of_anonymized_cases()
    order_id, expected_previous, expected_sequence = None, GENESIS, 1
    query = (sa.select(OrderCheck).order_by(OrderCheck.order_id, OrderCheck.sequence)
             .execution_options(yield_per=batch))
    for check in db.session.scalars(query):
        if check.order_id != order_id:
            order_id, expected_previous, expected_sequence = check.order_id, GENESIS, 1
        token = encode("order", check.order_id)
        if check.sequence != expected_sequence:
            breaks.append(Break(token, check.sequence,
                                f"expected place {expected_sequence} (a record is missing)"))
        if check.previous_hash != expected_previous:
            breaks.append(Break(token, check.sequence, "link to the previous record differs"))
        if (digest(check, check.previous_hash) != check.hash
                or not _note_as_recorded(check, anonymized)):
            breaks.append(Break(token, check.sequence, "content differs from its hash"))
        expected_previous, expected_sequence = check.hash, check.sequence + 1
    return breaks
