"""The agencies serving a case's place, read once per request.

The case page offers them four times (lead candidates, referral targets,
follow-up owners, programme providers), each a filter of the same list
(:func:`coordination.policy.agencies_serving`): one statement instead of four.
"""
from __future__ import annotations

from flask import g, has_request_context

from coordination import policy
from coordination.agencies.models import Agency
from coordination.cases.models import Case
from coordination.extensions import db


def serving_agencies(case: Case) -> list[Agency]:
    """The active case-working agencies serving ``case``'s place, in the
    policy's order (type, name); a new list each call, the query once per
    request and district (a transfer changes the district)."""
    if not has_request_context():
        return list(db.session.scalars(policy.agencies_serving(case)))
    read = g.setdefault("serving_agencies", {})
    key = (case.id, case.district_id)
    if key not in read:
        read[key] = list(db.session.scalars(policy.agencies_serving(case)))
    return list(read[key])
