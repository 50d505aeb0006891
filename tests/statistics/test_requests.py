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


def test_the_median_is_the_conventional_one_on_random_data(app):
    """Random histograms written as the country's aggregates of one month: the SQL median
    of each agency type is Python's statistics.median of its values."""
    from coordination.statistics import query
    from coordination.statistics.aggregates import StatisticalAggregate
    from coordination.territories.services import territory_by_code

    rng = random.Random(3)  # nosec B311  (reproducible test data)
    values: dict[str, list[int]] = {}
    for code in ("police", "health", "social", "crisis_centre", "lsg"):
        values[code] = [rng.randrange(0, 400) for _ in range(rng.randrange(1, 60))]
        for value in set(values[code]):
            db.session.add(StatisticalAggregate(
                grouping="referral:agency_type,tenths", month=190001, region_id=0,
                district_id=0, a=code, b=str(value), n=values[code].count(value), key_sum=0))
    db.session.flush()
    scope = query.Scope(territory_by_code("417"), 190001, 190001)
    assert query.medians("referral", scope, "agency_type", "tenths") == {
        code: statistics.median(found) for code, found in values.items()}


def test_the_medians_computed_in_sql_are_the_conventional_ones(app):
    """On the demo's referrals: the median of the bucketed response times."""
    from coordination.statistics import query
    from coordination.statistics.codes import response_bucket
    from coordination.statistics.models import StatisticalRecord
    from coordination.territories.services import territory_by_code

    scope = query.Scope(territory_by_code("417"), 202401, 202611)
    found = query.medians("referral", scope, "agency_type", "tenths")
    table = StatisticalRecord.__table__
    values: dict[str, list[int]] = {}
    for code, tenths in db.session.execute(sa.select(table.c.agency_type, table.c.tenths).where(
            table.c.unit == "referral", table.c.tenths >= 0,
            table.c.month.between(202401, 202611))):
        values.setdefault(code, []).append(response_bucket(tenths))
    assert values and found == {code: statistics.median(v) for code, v in values.items()}


def test_response_times_are_bucketed_alike_in_python_and_in_sql(app):
    from coordination.statistics.codes import response_bucket, response_bucket_sql

    values = [*range(0, 130), *range(990, 1010), *range(0, 20000, 37)]
    in_sql = db.session.execute(sa.select(*(
        response_bucket_sql(sa.literal(value, sa.Integer)) for value in values[:500]))).one()
    assert list(in_sql) == [response_bucket(value) for value in values[:500]]
    assert response_bucket(99) == 99 and response_bucket(104) == 100
    assert response_bucket(995) == 1000 and response_bucket(1049) == 1000
