"""Schemathesis against the OpenAPI document, on the live test app served
over HTTP on 127.0.0.1 (a real server, as a partner system would call it):
for a client of every kind of agency (all scopes), every operation gets
generated calls; none may answer 500, and every answer must match the
document (status code, content type, headers, body schema)."""
from __future__ import annotations

import threading

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.serving import make_server

from coordination.extensions import db

#: A client of each kind of agency that may call the API (the ministry's
#: analysts read statistics, a court order status; administrators have no
#: agency work to do).
AGENCIES = ("SOKULUK-COMMITTEE", "SOKULUK-POLICE", "SOKULUK-SOCIAL", "KARASUU-HEALTH",
            "KARASUU-CRISIS_CENTRE", "MLSSM-GENDER", "SOKULUK-COURT")
#: Generated calls per operation: bounded so that the run takes a few minutes.
EXAMPLES = 25
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]


@pytest.fixture
def served(app):
    """The test app on a port of 127.0.0.1, one request at a time (each in
    the server thread's own context, as in production)."""
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


def test_every_operation_for_every_kind_of_client(app, served, api_client, capsys):
    tokens = []
    for code in AGENCIES:
        client, token = api_client(code)
        client.rate_per_minute = 1_000_000  # the limiter is tested on its own
        tokens.append(token)
    db.session.commit()
    schema = schemathesis.openapi.from_url(f"{served}/api/v1/openapi.json")
    calls, operations = 0, []
    for result in schema.get_all_operations():
        operation = result.ok()
        operations.append(operation.label)

        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(), token=st.sampled_from(tokens))
        def call(case, token):
            nonlocal calls
            calls += 1
            response = case.call(base_url=served,
                                 headers={"Authorization": f"Bearer {token}"})
            case.validate_response(response, checks=CHECKS)

        call()
    assert len(operations) >= 12
    with capsys.disabled():
        print(f"\nschemathesis: {calls} generated calls on {len(operations)} operations")
