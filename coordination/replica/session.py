"""The database session that sends a marked page's reads to the replica.

SQLAlchemy's documented way to split reads from writes is a session whose
``get_bind`` picks the engine per statement. Only plain SELECTs (no
``FOR UPDATE``) of a request that :mod:`coordination.replica.routing` armed
go to the replica; a flush, and anything not a SELECT, goes to the primary.
"""
from __future__ import annotations

from flask import g, has_request_context
from flask_sqlalchemy.session import Session


def replica_for(session, clause):
    """The replica engine for ``clause``, or None: the primary answers."""
    if not has_request_context():
        return None
    engine = g.get("replica_engine")
    if engine is None or session._flushing:
        return None
    if not getattr(clause, "is_select", False):
        return None
    if getattr(clause, "_for_update_arg", None) is not None:  # locks rows: the primary's
        return None
    return engine


class RoutingSession(Session):
    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None:
            replica = replica_for(self, clause)
            if replica is not None:
                return replica
        return super().get_bind(mapper, clause=clause, bind=bind, **kwargs)
