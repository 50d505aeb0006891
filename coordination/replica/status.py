"""What the replica has replayed, how far behind it is, and whether it answers.

Positions in the write-ahead log (LSNs, ``16/B374D848``) order every change
of the primary; a standby that has replayed past a position shows every
transaction committed before it. Read-your-writes compares them
(:mod:`coordination.replica.routing`).
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

#: Where the standby is: what it received and replayed, and the age of the
#: last transaction it replayed (its delay, when it has WAL left to replay).
STATUS_SQL = sa.text("""
    SELECT pg_is_in_recovery() AS in_recovery,
           pg_last_wal_receive_lsn()::text AS received,
           pg_last_wal_replay_lsn()::text AS replayed,
           coalesce(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
             AS replayed_age
""")


def parse_lsn(text: str) -> int:
    """``16/B374D848`` as one number (high and low 32 bits)."""
    high, _sep, low = text.partition("/")
    return (int(high, 16) << 32) + int(low, 16)


@dataclass(frozen=True)
class ReplicaStatus:
    replayed: int
    lag_seconds: float


class ReadReplica:
    """The replica's engine, and its status, asked at most every
    ``status_seconds`` per process (a position seen earlier is at most
    behind the real one, so read-your-writes only errs towards the primary).

    A replica that does not answer is not asked again for ``retry_seconds``
    (every page would otherwise wait for its connection timeout). Changes of
    state are logged once, without any data: the pages keep working from the
    primary meanwhile.
    """

    def __init__(self, engine: Engine, retry_seconds: float, status_seconds: float = 0.0):
        self.engine = engine
        self.retry_seconds = retry_seconds
        self.status_seconds = status_seconds
        self._down_until = 0.0
        self._known: tuple[float, ReplicaStatus] | None = None
        self._state = "ok"

    def status(self) -> ReplicaStatus | None:
        """Where the replica is, or None when it cannot serve reads."""
        now = time.monotonic()
        if now < self._down_until:
            return None
        known = self._known
        if known is not None and now - known[0] < self.status_seconds:
            return known[1]
        try:
            status = self._ask()
        except sa.exc.SQLAlchemyError as error:
            self._known, self._down_until = None, time.monotonic() + self.retry_seconds
            self.note("down", "read replica unavailable (%s); reading from the primary",
                      type(error).__name__)
            return None
        self._known = (now, status) if status is not None else None
        return status

    def _ask(self) -> ReplicaStatus | None:
        with self.engine.connect() as connection:
            row = connection.execute(STATUS_SQL).one()
            if not row.in_recovery or row.replayed is None:
                # Promoted, or not a standby at all: its data would part from the primary's.
                self.note("not-standby",
                          "the read replica is not a standby; reading from the primary")
                return None
            if row.received is None or parse_lsn(row.replayed) >= parse_lsn(row.received):
                return ReplicaStatus(parse_lsn(row.replayed), 0.0)
            # WAL waits to be replayed. Just received (the standby is applying
            # it) or stalled (paused, or held back by a query)? Asked again,
            # one that keeps up has replayed it by now.
            again = connection.execute(STATUS_SQL).one()
        if parse_lsn(again.replayed) >= parse_lsn(row.received):
            return ReplicaStatus(parse_lsn(again.replayed), 0.0)
        return ReplicaStatus(parse_lsn(again.replayed), float(again.replayed_age))

    def note(self, state: str, message: str, *args) -> None:
        """Log ``message`` when the replica's state changes to ``state``."""
        if state != self._state:
            self._state = state
            (log.info if state == "ok" else log.warning)(message, *args)
