"""The audit log viewer: scope, filters, pages, CSV export, read only."""
from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from coordination import policy
from coordination.accounts.models import User
from coordination.audit import viewer
from coordination.audit.models import ACCOUNT_ACTIONS, AuditAction, AuditEvent
from coordination.audit.services import record
from coordination.extensions import db


def _all(user_obj, **filters):
    return viewer.export_events(user_obj, viewer.AuditFilters(**filters))


def test_an_agency_head_sees_their_agencys_actions_and_case_views(user):
    head = user("coordinator.sokuluk")
    police = user("police.sokuluk")
    record(AuditAction.CASE_VIEWED, head, "case", 1)
    record(AuditAction.CASE_VIEWED, police, "case", 2)
    record(AuditAction.CASE_VIEWED, user("coordinator.karasuu"), "case", 3)
    db.session.flush()
    events = _all(head)
    # Their staff's actions, and (issue 14) anything done to their accounts.
    members = set(db.session.scalars(sa.select(User.id).where(
        User.agency_id == head.agency_id)))
    assert events and all(e.agency_id == head.agency_id
                          or (e.object_type == "user" and e.object_id in members)
                          for e in events)
    assert any(e.action == AuditAction.CASE_VIEWED and e.object_id == 1 for e in events)
    assert not any(e.object_id in (2, 3) and e.action == AuditAction.CASE_VIEWED
                   for e in events)


def test_the_administrator_sees_account_events_only(user):
    admin = user("admin")
    record(AuditAction.CASE_VIEWED, user("coordinator.sokuluk"), "case", 1)
    record(AuditAction.LOGIN_FAILED, user("police.karasuu"), "user", 5)
    db.session.flush()
    events = _all(admin)
    assert events and all(e.action in ACCOUNT_ACTIONS for e in events)
    assert any(e.action == AuditAction.LOGIN_FAILED for e in events)
    assert AuditAction.CASE_VIEWED not in ACCOUNT_ACTIONS
    assert AuditAction.USER_CREATED in ACCOUNT_ACTIONS


def test_no_one_else_sees_any_event(user):
    for username in ("police.sokuluk", "ministry.analyst", "social.karasuu"):
        assert not policy.may_use(user(username), policy.Section.AUDIT)
        assert db.session.scalars(policy.visible_audit_events(user(username))).first() is None


def test_filters_by_user_action_and_date(user):
    head = user("coordinator.sokuluk")
    record(AuditAction.CASE_VIEWED, head, "case", 11)
    db.session.flush()
    mine = _all(head, username="COORDINATOR.sokuluk", action=AuditAction.CASE_VIEWED)
    assert mine and all(e.user_id == head.id and e.action == AuditAction.CASE_VIEWED
                        for e in mine)
    today = db.session.scalar(sa.select(sa.func.max(AuditEvent.at))).date()
    assert any(e.object_id == 11 for e in _all(head, date_from=today, date_to=today))
    assert not any(e.object_id == 11 for e in _all(head, date_to=today.replace(year=2000)))
    assert _all(head, username="nobody.at.all") == []


def test_the_page_filters_paginates_and_exports(login_as, user, app):
    client = login_as("coordinator.sokuluk")
    head = user("coordinator.sokuluk")
    for number in range(app.config["ADMIN_PER_PAGE"] + 1):
        record(AuditAction.CASE_VIEWED, head, "case", 100_000 + number)
    db.session.commit()
    page = client.get("/audit?action=case_viewed")
    assert page.status_code == 200
    assert "Page 1 of" in page.text and "case_viewed" in page.text
    assert client.get("/audit?action=case_viewed&page=2").status_code == 200
    assert client.get("/audit?action=not-an-action&date_from=2026-99-99&page=x").status_code \
        == 200
    export = client.get("/audit/events.csv?action=case_viewed&user=coordinator.sokuluk")
    assert export.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))
    assert rows[0][0] == "Time (UTC)"
    assert len(rows) - 1 >= app.config["ADMIN_PER_PAGE"] + 1
    assert {row[1] for row in rows[1:]} == {"coordinator.sokuluk"}


def test_the_export_neutralises_formulas(login_as, user):
    record(AuditAction.CASE_VIEWED, user("coordinator.sokuluk"), "=HYPERLINK(1)", 7)
    db.session.commit()
    export = login_as("coordinator.sokuluk").get("/audit/events.csv?action=case_viewed")
    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))
    assert ["'=HYPERLINK(1)", "7"] in [row[4:6] for row in rows]


def test_the_log_has_no_write_paths(app, login_as):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("audit."):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule
    client = login_as("admin")
    assert client.post("/audit").status_code in (400, 405)
    assert client.delete("/audit").status_code == 405
