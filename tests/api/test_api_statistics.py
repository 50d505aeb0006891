"""/api/v1/statistics publishes exactly what the ministry's report page and
CSV publish for the same period and territory (the same layer, the same
perturbation), and every call is audited as a statistics request."""
from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from coordination.api.models import Scope
from coordination.audit.models import AuditAction, AuditEvent
from coordination.extensions import db
from exports.csv_report import plain_number
from tests.api.conftest import bearer

REQUESTS = [{"from": "2024-01", "to": "2026-11"},
            {"from": "2025-01", "to": "2026-06", "region": "41708"},
            {"from": "2025-03", "to": "2026-02", "district": "41708222"}]


def _as_in_csv(cell: dict) -> str:
    """How the CSV writes a cell (see exports/csv_report.py)."""
    if cell["value"] is None or cell["suppressed"]:
        return cell["display"]
    return plain_number(cell["value"])


def _csv_tables(data: bytes) -> dict[str, list[list[str]]]:
    """title -> the rows' cells, from the CSV's table blocks."""
    records = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    tables, index = {}, 0
    while index < len(records):
        if records[index] == [] and index + 2 < len(records):
            title, index, rows = records[index + 1][0], index + 3, []
            while index < len(records) and len(records[index]) > 1:
                rows.append([v.removeprefix("'") for v in records[index][1:]])
                index += 1
            tables[title] = rows
        else:
            index += 1
    return tables


def test_the_api_publishes_the_figures_of_the_report_page_and_csv(api_client, browser,
                                                                   login_as):
    client, token = api_client("MLSSM-GENDER", {Scope.READ_STATISTICS})
    analyst, api = login_as("ministry.analyst"), browser()
    for params in REQUESTS:
        published = api.get("/api/v1/statistics", query_string=params,
                            headers=bearer(token, **{"Accept-Language": "en"}))
        assert published.status_code == 200, (params, published.text)
        tables = published.json["tables"]
        assert tables, params
        csv_tables = _csv_tables(analyst.get("/reports/aggregate.csv",
                                             query_string={**params, "lang": "en"}).data)
        page = analyst.get("/reports", query_string={**params, "lang": "en"})
        assert page.status_code == 200
        for table in tables:
            assert table["title"] in csv_tables, (params, table["title"])
            assert [[_as_in_csv(c) for c in row["cells"]] for row in table["rows"]] \
                == csv_tables[table["title"]], (params, table["title"])
            for row in table["rows"]:
                for cell in row["cells"]:
                    assert cell["display"].replace("<", "&lt;") in page.text \
                        or cell["display"] in page.text, (params, cell)
        assert set(csv_tables) == {t["title"] for t in tables}
        # Asked twice, the same figures: the perturbation is keyed, not drawn anew.
        again = api.get("/api/v1/statistics", query_string=params,
                        headers=bearer(token, **{"Accept-Language": "en"}))
        assert again.json == published.json


def test_every_statistics_call_is_audited_with_the_format_api(api_client, browser):
    client, token = api_client("MLSSM-GENDER", {Scope.READ_STATISTICS})
    api = browser()

    def audited():
        return db.session.scalars(sa.select(AuditEvent.fields).where(
            AuditEvent.action == AuditAction.STATISTICS_REQUESTED,
            AuditEvent.user_id == client.service_user_id).order_by(AuditEvent.id)).all()

    assert audited() == []
    assert api.get("/api/v1/statistics", query_string=REQUESTS[2],
                   headers=bearer(token)).status_code == 200
    refused = api.get("/api/v1/statistics", query_string={"region": "99999"},
                      headers=bearer(token))
    assert refused.status_code in (400, 422)
    calls = audited()
    assert len(calls) == 2
    assert all("format=api" in fields for fields in calls)
    assert "41708222" in calls[0] and "refused" not in calls[0]
    assert "refused" in calls[1]
