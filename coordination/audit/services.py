"""Writing audit events. Callers flush or commit; this only adds the row."""
from __future__ import annotations

from flask import has_request_context, request

from coordination.accounts.models import User
from coordination.audit.models import AuditAction, AuditEvent
from coordination.extensions import db


def record(
    action: AuditAction,
    user: User | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    fields: list[str] | None = None,
) -> AuditEvent:
    """Add an audit event for ``action`` by ``user`` on an optional object.

    Only identifiers are stored, never the content of the object.
    """
    event = AuditEvent(
        action=action,
        user_id=user.id if user is not None else None,
        agency_id=user.agency_id if user is not None else None,
        ip_address=request.remote_addr if has_request_context() else None,
        object_type=object_type,
        object_id=object_id,
        fields=", ".join(fields) if fields else None,
    )
    db.session.add(event)
    return event
