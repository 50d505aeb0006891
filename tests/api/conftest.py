"""API clients for the tests: one per agency and scope set, tokens in hand."""
from __future__ import annotations

import pytest

from coordination import policy
from coordination.api import clients
from coordination.api.models import Scope
from coordination.extensions import db

# The deliveries' real parts (SMTP server, HTTP receivers, Redis) for the journey.
from tests.deliveries.conftest import channels, receiver, rq_queue, smtp_server  # noqa: F401


@pytest.fixture
def api_client(user, agency):
    """``api_client("SOKULUK-POLICE")`` -> (ApiClient, token), committed; by
    default with every scope the agency's clients may hold."""

    def make(agency_code: str, scopes=None, name: str | None = None,
             registered_by: str = "admin"):
        registered_for = agency(agency_code)
        if scopes is None:
            scopes = {scope for scope in Scope if policy.may_hold_scope(registered_for, scope)}
        client, token = clients.register(user(registered_by), clients.ClientData(
            name=name or f"{agency_code} system", agency_id=registered_for.id,
            scopes=frozenset(scopes)))
        db.session.commit()
        return client, token

    return make


def bearer(token: str, **headers) -> dict:
    return {"Authorization": f"Bearer {token}", **headers}
