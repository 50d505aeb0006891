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

#: Where the standby is; ``lag_seconds`` is 0 while it has replayed all it
#: received, else the age of the last transaction it replayed (the usual
#: measure: an idle primary does not make a caught-up standby look late).
STATUS_SQL = sa.text("""
    SELECT pg_is_in_recovery() AS in_recovery,
           pg_last_wal_replay_lsn()::text AS replayed,
           CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                ELSE coalesce(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
           END AS lag_seconds
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
    """The replica's engine, and its status asked once per marked request.

    A replica that does not answer is not asked again for ``retry_seconds``
    (every page would otherwise wait for its connection timeout). Changes of
    state are logged once, without any data: the pages keep working from the
    primary meanwhile.
    """

    def __init__(self, engine: Engine, retry_seconds: float):
        self.engine = engine
        self.retry_seconds = retry_seconds
        self._down_until = 0.0
        self._state = "ok"

    def status(self) -> ReplicaStatus | None:
        """Where the replica is, or None when it cannot serve reads."""
        if time.monotonic() < self._down_until:
            return None
        try:
            with self.engine.connect() as connection:
                row = connection.execute(STATUS_SQL).one()
        except sa.exc.SQLAlchemyError as error:
            self._down_until = time.monotonic() + self.retry_seconds
            self.note("down", "read replica unavailable (%s); reading from the primary",
                      type(error).__name__)
            return None
        if not row.in_recovery or row.replayed is None:
            # Promoted, or not a standby at all: its data would part from the primary's.
            self.note("not-standby", "the read replica is not a standby; reading from the primary")
            return None
        return ReplicaStatus(parse_lsn(row.replayed), float(row.lag_seconds))

    def note(self, state: str, message: str, *args) -> None:
        """Log ``message`` when the replica's state changes to ``state``."""
        if state != self._state:
            self._state = state
            (log.info if state == "ok" else log.warning)(message, *args)
