"""Statistics requests: audited with their parameters and format, visible to
the administrator in the audit viewer; the median is the conventional one."""
from __future__ import annotations

import csv
import io
import random
import statistics

import sqlalchemy as sa

from coordination.audit.models import AuditAction, AuditEvent
from coordination.extensions import db
from coordination.statistics.query import median
from tests.helpers import login


def _requests() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.fields).where(
        AuditEvent.action == AuditAction.STATISTICS_REQUESTED).order_by(AuditEvent.id)))


def test_every_statistics_request_is_audited_with_its_parameters(login_as):
    client = login_as("ministry.analyst")
    client.get("/reports", query_string={"from": "2025-06", "to": "2026-10",
                                         "district": "41708222", "region": "41708"})
    client.get("/reports/aggregate.csv", query_string={"from": "2025-06", "to": "2026-09"})
    client.get("/reports/aggregate.pdf", query_string={"from": "2026-13"})
    fields = _requests()
    assert fields[-3] == ("format=page, period=2025-06/2026-10, territory=41708222, "
                          "tables=all")
    assert fields[-2].startswith("format=csv, period=2025-06/2026-09, territory=417,")
    assert fields[-1].startswith("format=pdf,") and fields[-1].endswith("refused")


def test_the_administrator_filters_statistics_requests_in_the_audit_viewer(login_as, app):
    analyst = app.test_client()
    login(analyst, "ministry.analyst")
    analyst.get("/reports/aggregate.csv")
    admin = login_as("admin")
    page = admin.get("/audit?action=statistics_requested")
    assert page.status_code == 200 and "statistics_requested" in page.text
    export = admin.get("/audit/events.csv?action=statistics_requested")
    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))
    assert {row[1] for row in rows[1:]} == {"ministry.analyst"}


def test_the_median_is_the_conventional_one():
    rng = random.Random(3)  # nosec B311  (reproducible test data)
    for _ in range(500):
        values = [rng.randrange(0, 60) for _ in range(rng.randrange(1, 40))]
        histogram: dict[int, int] = {}
        for value in values:
            histogram[value] = histogram.get(value, 0) + 1
        assert median(histogram) == statistics.median(values)
    assert median({}) is None
