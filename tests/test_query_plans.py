"""The lists, inboxes and the access policy reach the big tables through indexes.

Every SELECT a page runs is captured and explained on the same connection.
SQLite: ``EXPLAIN QUERY PLAN`` must read each big table with ``SEARCH ...``
(an index or the primary key), never ``SCAN <table>``. PostgreSQL: after
``ANALYZE`` (plans as autovacuum's statistics make them, the same in every
run) and with ``SET LOCAL enable_seqscan = off`` the plan must hold no ``Seq
Scan`` of a big table, nor a whole index read (a bitmap or index scan with no
condition, except an ordered walk that a LIMIT stops). On the suite's few
hundred rows a sequential scan really is the cheapest plan, so PostgreSQL
would choose it whatever the indexes; the setting makes it a last resort (it
adds 10^10 to its cost), and a Seq Scan that is left means no index could
serve the query. Merge and hash joins are priced out too: on tiny tables
they would read a whole index of the inner table where a nested loop looks
rows up by an index. docs/PERFORMANCE.md has the plans measured on a
million cases.
"""
from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from coordination.accounts.models import User
from coordination.cases.models import Case
from coordination.cases.services import CURSOR_KIND
from coordination.extensions import db
from coordination.meetings.models import Meeting
from tests.helpers import pid

#: Tables that grow with the number of cases (or of events); the rest
#: (territories, agencies, users, settings) stay small.
BIG_TABLES = frozenset({
    "cases", "people", "incidents", "incident_violence_forms", "timeline_events",
    "referrals", "follow_ups", "protection_orders", "order_violations",
    "correctional_programmes", "consent_records", "risk_assessments",
    "notifications", "notification_reads", "audit_events", "meetings", "agenda_items",
    "agenda_item_reasons", "meeting_attendances", "case_access",
})


def _selects_of(client, url: str) -> list[tuple[str, object]]:
    statements = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        assert client.get(url).status_code == 200, url
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    assert statements, url
    return statements


def _sqlite_scans(connection, statement, parameters) -> Iterator[str]:
    for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters):
        detail = row[-1]
        words = detail.split()
        if words[0] == "SCAN" and words[1] in BIG_TABLES:
            yield detail


def _postgresql_scans(connection, statement, parameters, whole_index_ok: bool = False
                      ) -> Iterator[str]:
    plan = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement,
                                      parameters).scalar()
    plan = plan if isinstance(plan, list) else json.loads(plan)
    nodes = [(plan[0]["Plan"], False)]
    while nodes:
        node, under_limit = nodes.pop()
        kind, table = node["Node Type"], node.get("Relation Name")
        # With sequential scans priced out, reading a whole index is the other
        # way to look at every row: a bitmap scan with no condition, or an
        # index scan with none, unless it walks the index in the list's order
        # and a LIMIT stops it (newest first, for a page).
        whole_index = (kind == "Bitmap Heap Scan" and "Recheck Cond" not in node
                       or kind in ("Index Scan", "Index Only Scan")
                       and "Index Cond" not in node and not (under_limit or whole_index_ok))
        if table in BIG_TABLES and (kind == "Seq Scan" or whole_index):
            yield f"{kind} on {table}"
        nodes.extend((child, under_limit or kind == "Limit") for child in node.get("Plans", []))


def full_scans(client, url: str, whole_index_ok: bool = False) -> list[tuple[str, str]]:
    """(scan, statement) for every big table a page reads without an index.

    ``whole_index_ok``: on PostgreSQL, let an index scan without a condition
    pass (a search, whose text has no index, on the suite's tiny tables).
    """
    statements = _selects_of(client, url)
    connection = db.session.connection()
    postgresql = connection.dialect.name == "postgresql"
    if postgresql:
        # Plan with statistics, as autovacuum would have gathered them (a
        # fresh database has none, and plans could differ from run to run).
        connection.exec_driver_sql("ANALYZE")
        for method in ("seqscan", "mergejoin", "hashjoin"):
            connection.exec_driver_sql(f"SET LOCAL enable_{method} = off")
        found = [(scan, " ".join(statement.split())[:200])
                 for statement, parameters in statements
                 for scan in _postgresql_scans(connection, statement, parameters,
                                               whole_index_ok)]
    else:
        found = [(scan, " ".join(statement.split())[:200])
                 for statement, parameters in statements
                 for scan in _sqlite_scans(connection, statement, parameters)]
    if postgresql:
        for method in ("seqscan", "mergejoin", "hashjoin"):
            connection.exec_driver_sql(f"SET LOCAL enable_{method} = on")
    return found


def _case_of(username: str) -> int:
    agency_id = db.session.scalar(sa.select(User.agency_id).where(User.username == username))
    return db.session.scalar(sa.select(Case.id).where(Case.lead_agency_id == agency_id)
                             .order_by(Case.id))


def _meeting_of(committee_code: str) -> int:
    from coordination.agencies.models import Agency

    return db.session.scalar(sa.select(Meeting.id).join(Agency, Meeting.committee_id == Agency.id)
                             .where(Agency.code == committee_code).order_by(Meeting.id))


CASE_WORKER_PAGES = [
    "/cases", "/cases?after={cursor}", "/cases?before={cursor}", "/cases?status=active",
    "/cases?risk=high", "/cases?district={district}", "/cases?status=open&risk=high",
    "/cases?status=active&after={cursor}",
    "/cases?q={reference}", "/cases?q=A&status=open", "/referrals", "/followups",
    "/notifications", "/",
    # The inbox's lists and filters (keyset pages, capped counts).
    "/referrals?box=outgoing", "/referrals?box=in_progress", "/referrals?due=overdue",
    "/referrals?due=week", "/referrals?box=outgoing&who=mine&due=overdue",
    "/referrals?box=in_progress&who=mine", "/followups?who=mine", "/followups?due=overdue",
    "/followups?who=mine&due=week",
]


@pytest.mark.parametrize("username", ["coordinator.sokuluk", "police.sokuluk"])
@pytest.mark.parametrize("url", CASE_WORKER_PAGES)
def test_lists_and_inboxes_use_indexes(username, url, login_as):
    client = login_as(username)
    reference = db.session.scalar(sa.select(Case.reference).where(Case.id == _case_of(username)))
    # The search text has no index (a prefix LIKE cannot use one under
    # SQLite's case-insensitive LIKE or a non-C PostgreSQL collation): it
    # filters the visible set, which the indexes give. On a few hundred rows
    # PostgreSQL may as well walk a whole index of cases for its count.
    user = db.session.scalar(sa.select(User).where(User.username == username))
    url = url.format(reference=reference, cursor=pid(_case_of(username), CURSOR_KIND),
                     district=user.agency.territory_id)
    assert full_scans(client, url, whole_index_ok="q=" in url) == []


def _list_statement(client, url: str) -> tuple[str, object]:
    """The statement that reads the page of cases (the one with a LIMIT)."""
    return next((statement, parameters) for statement, parameters in _selects_of(client, url)
                if "FROM cases" in statement and "LIMIT" in statement.upper())


@pytest.mark.parametrize(("url", "index"), [
    ("/cases?status=active", "ix_case_access_agency_status_newest"),
    ("/cases?risk=high", "ix_case_access_agency_risk_newest"),
    ("/cases?district={district}", "ix_case_access_agency_district_newest"),
    ("/cases?after={cursor}", "ix_case_access_agency_newest"),
])
def test_a_filtered_or_deep_page_walks_the_agency_rows_in_its_index(url, index, login_as):
    """The filter's copy on the access rows serves it: the page starts in the
    agency's rows of that value (or after the cursor) in the list's order,
    rather than testing every visible case (docs/PERFORMANCE.md)."""
    client = login_as("coordinator.sokuluk")
    user = db.session.scalar(sa.select(User).where(User.username == "coordinator.sokuluk"))
    url = url.format(district=user.agency.territory_id,
                     cursor=pid(_case_of("coordinator.sokuluk"), CURSOR_KIND))
    statement, parameters = _list_statement(client, url)
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("ANALYZE")
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = " ".join(str(row[0]) for row in connection.exec_driver_sql(
            "EXPLAIN " + statement, parameters))
        connection.exec_driver_sql("SET LOCAL enable_seqscan = on")
    else:
        plan = " ".join(row[-1] for row in connection.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statement, parameters))
    assert index in plan, plan


@pytest.mark.parametrize("username", ["coordinator.sokuluk", "police.sokuluk"])
def test_the_case_page_uses_indexes(username, login_as):
    client = login_as(username)
    assert full_scans(client, f"/cases/{pid(_case_of(username), 'case')}") == []


def test_meetings_use_indexes(login_as):
    client = login_as("coordinator.sokuluk")
    assert full_scans(client, "/meetings") == []
    assert full_scans(client, f"/meetings/{pid(_meeting_of('SOKULUK-COMMITTEE'), 'meeting')}") == []


@pytest.mark.parametrize("url", ["/audit", "/audit?action=login_succeeded",
                                 "/audit?username=police.sokuluk"])
def test_the_audit_viewer_uses_indexes(url, login_as):
    assert full_scans(login_as("admin"), url) == []


def test_an_agency_heads_audit_view_uses_indexes(login_as):
    assert full_scans(login_as("coordinator.sokuluk"), "/audit") == []


def test_the_check_finds_a_full_scan(login_as):
    """The check itself: a query no index can serve is reported."""
    client = login_as("coordinator.sokuluk")
    statements = [("SELECT count(*) FROM cases WHERE lower(survivor_code) = 'x'", {})]
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        scans = list(_postgresql_scans(connection, *statements[0]))
    else:
        scans = list(_sqlite_scans(connection, *statements[0]))
    assert scans and "cases" in scans[0]
    assert client.get("/cases").status_code == 200


#: The inbox pages whose rows come from one ordered index walk per status.
INBOX_PAGES = {
    "/referrals": "ix_referrals_to_agency_id_status_respond_by",
    "/referrals?box=in_progress": "ix_referrals_to_agency_id_status_respond_by",
    "/referrals?box=outgoing": "ix_referrals_from_agency_id_status_respond_by",
    "/referrals?box=outgoing&who=mine": "ix_referrals_sent_by_id_status_respond_by",
    "/referrals?box=in_progress&who=mine": "ix_referrals_answered_by_id_status_respond_by",
    "/followups": "ix_follow_ups_owner_agency_id_status_due_on_id",
    "/followups?who=mine": "ix_follow_ups_owner_user_id_status_due_on_id",
}


def _plan_text(connection, statement, parameters) -> str:
    if connection.dialect.name == "postgresql":
        return "\n".join(row[0] for row in connection.exec_driver_sql(
            "EXPLAIN " + statement, parameters))
    return "\n".join(row[-1] for row in connection.exec_driver_sql(
        "EXPLAIN QUERY PLAN " + statement, parameters))


@pytest.mark.parametrize("url", list(INBOX_PAGES))
def test_an_inbox_page_walks_its_index_in_order(url, login_as):
    """The page's rows are read in the list's order from the list's index and
    stop at the page: no sort of the agency's referrals or follow-ups
    (a sort of the few rows the index walks returned, to merge two statuses,
    is the page's own)."""
    client = login_as("social.sokuluk")
    connection = db.session.connection()
    postgresql = connection.dialect.name == "postgresql"
    if postgresql:
        connection.exec_driver_sql("ANALYZE")
        for method in ("seqscan", "mergejoin", "hashjoin", "bitmapscan"):
            connection.exec_driver_sql(f"SET LOCAL enable_{method} = off")
    pages = [(statement, parameters) for statement, parameters in _selects_of(client, url)
             if " LIMIT " in statement and "count(" not in statement
             and ("respond_by" in statement or "due_on" in statement)
             and " IN (" not in statement]
    assert pages, url
    for statement, parameters in pages:
        plan = _plan_text(connection, statement, parameters)
        assert INBOX_PAGES[url] in plan, plan
        if postgresql:
            # Each walk is under its own Limit, never under a Sort.
            assert "Sort" not in plan or "in_progress" in url, plan
        else:
            two_statuses = "UNION ALL" in statement
            assert ("USE TEMP B-TREE FOR ORDER BY" not in plan
                    or two_statuses and plan.count("USE TEMP B-TREE") == 1), plan
    if postgresql:
        for method in ("seqscan", "mergejoin", "hashjoin", "bitmapscan"):
            connection.exec_driver_sql(f"SET LOCAL enable_{method} = on")

def _search_plans(client, text: str) -> list[str]:
    """The plans, as text, of the statements the case list runs for ``text``."""
    statements = _selects_of(client, f"/cases?q={text}")
    connection = db.session.connection()
    plans = []
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("ANALYZE")
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        for statement, parameters in statements:
            plans.append("\n".join(row[0] for row in connection.exec_driver_sql(
                "EXPLAIN " + statement, parameters)))
        connection.exec_driver_sql("SET LOCAL enable_seqscan = on")
    else:
        for statement, parameters in statements:
            plans.append("\n".join(row[-1] for row in connection.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + statement, parameters)))
    return [plan for plan, (statement, _p) in zip(plans, statements, strict=True)
            if "case_search" in statement or "_trgm" in plan or "LIKE" in statement.upper()]


#: The index each searched part reads, by database.
SEARCH_INDEXES = {
    "postgresql": ("ix_cases_reference_trgm", "ix_cases_survivor_code_trgm",
                   "ix_incidents_crime_register_number_trgm",
                   "ix_incidents_info_log_number_trgm", "ix_people_name_key_trgm"),
    "sqlite": ("SCAN case_search VIRTUAL TABLE INDEX",),
}


@pytest.mark.parametrize("username", ["coordinator.sokuluk", "police.sokuluk"])
def test_search_reads_the_trigram_indexes(username, login_as):
    """Issue 16: a search is led by a trigram index of the whole country's
    cases (GIN pg_trgm on PostgreSQL, the FTS5 trigram table on SQLite),
    never by a scan of the cases, incidents or people."""
    client = login_as(username)
    reference = db.session.scalar(sa.select(Case.reference).where(Case.id == _case_of(username)))
    indexes = SEARCH_INDEXES[db.session.get_bind().dialect.name]
    every_plan = []
    # A part of a reference (whose folded words are too short to be a name)
    # reads the reference, code and police-number indexes; a name the names'.
    for text in (reference[3:10], "Omurbekova"):
        plans = _search_plans(client, text)
        assert any(index in plan for plan in plans for index in indexes), (text, plans)
        assert full_scans(client, f"/cases?q={text}") == [], text
        every_plan += plans
    for index in indexes:
        assert any(index in plan for plan in every_plan), (index, every_plan)


def test_a_one_letter_search_reads_only_the_visible_cases(login_as):
    """No trigram serves one letter: it tests the user's visible cases by id."""
    client = login_as("police.sokuluk")
    assert full_scans(client, "/cases?q=A", whole_index_ok=True) == []
    assert not any("case_search" in plan or "_trgm" in plan
                   for plan in _search_plans(client, "A"))


def test_the_web_plans_no_parallel_workers(app):
    """PostgreSQL: a page's few indexed rows never wait for parallel workers
    to start (coordination.database.configure_postgresql); SQLite has none."""
    with db.engine.connect() as connection:
        if connection.dialect.name != "postgresql":
            pytest.skip("PostgreSQL's planner setting; SQLite plans no parallel workers")
        assert connection.scalar(sa.text("SHOW max_parallel_workers_per_gather")) == "0"
