"""API clients for the tests: one per agency and scope set, tokens in hand."""
from __future__ import annotations

import pytest

from coordination.api import clients
from coordination.api.models import Scope
from coordination.extensions import db

# The deliveries' real parts (SMTP server, HTTP receivers, Redis) for the journey.
from tests.deliveries.conftest import channels, receiver, rq_queue, smtp_server  # noqa: F401

ALL_SCOPES = frozenset(Scope)


@pytest.fixture
def api_client(user, agency):
    """``api_client("SOKULUK-POLICE")`` -> (ApiClient, token), committed."""

    def make(agency_code: str, scopes=ALL_SCOPES, name: str | None = None,
             registered_by: str = "admin"):
        client, token = clients.register(user(registered_by), clients.ClientData(
            name=name or f"{agency_code} system", agency_id=agency(agency_code).id,
            scopes=frozenset(scopes)))
        db.session.commit()
        return client, token

    return make


def bearer(token: str, **headers) -> dict:
    return {"Authorization": f"Bearer {token}", **headers}
