"""Administration is never a way into case files: not for administrators after
anything they do, not for agency heads by forging a form."""
from __future__ import annotations

import sqlalchemy as sa

from coordination.accounts.models import User
from coordination.audit.models import AuditEvent
from coordination.cases.models import Case
from coordination.extensions import db
from coordination.territories.services import territory_by_code
from tests.helpers import csrf_token, pid, post_form


def _case_ids() -> list[int]:
    return db.session.scalars(sa.select(Case.id).order_by(Case.id).limit(3)).all()


def _audit_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))


def test_admin_sees_no_case_after_any_administrative_action(login_as, client, agency, user):
    login_as("admin")
    chui = territory_by_code("41708223")
    sokuluk = territory_by_code("41708222")
    police = user("police.sokuluk")
    before = _audit_count()
    steps = [
        ("/admin/agencies/new", {"code": "CHUI-COMMITTEE", "name": "Комитет", "type": "committee",
                                 "territory": chui.id}),
        ("/admin/users/new", {"full_name": "X", "username": "x.chui", "role": "lead",
                              "language": "", "agency": agency("SOKULUK-COMMITTEE").id}),
        (f"/admin/users/{police.id}", {"full_name": police.full_name, "role": "lead",
                                       "language": "ru", "agency": agency("KARASUU-POLICE").id}),
        (f"/admin/users/{police.id}/reset-password", {}),
        (f"/admin/users/{police.id}/deactivate", {}),
        (f"/admin/agencies/{agency('SOKULUK-HEALTH').id}/deactivate", {"handed_over": "y"}),
        (f"/admin/territories/{sokuluk.id}", {"name_ky": "Сокулук", "name_ru": "Сокулук",
                                              "name_en": "Sokuluk (district)"}),
        ("/admin/settings", {"referral_deadline_hours_urgent": 12,
                             "referral_deadline_hours_high": 72,
                             "referral_deadline_hours_normal": 168, "temporary_order_days": 3,
                             "extended_temporary_order_days": 30, "court_order_max_months": 3,
                             "suppression_k": 5, "suppression_k_sexual_violence": 10,
                             "risk_medium_threshold": 10, "risk_high_threshold": 14}),
    ]
    for url, data in steps:
        response = post_form(client, url, data)
        assert response.status_code in (200, 302), url
        assert "Not allowed" not in response.text, url
        assert client.get("/cases").status_code == 403
        for case_id in _case_ids():
            assert client.get(f"/cases/{pid(case_id, 'case')}").status_code == 403, url
    assert _audit_count() - before >= len(steps)  # every step audited
    admin = user("admin")
    assert admin.role == "admin" and admin.agency.code == "MLSSM-GENDER"


def test_head_gains_no_case_access_through_administration(login_as, client, agency, user):
    """A head cannot make an administrator, move a user or create one elsewhere."""
    login_as("coordinator.karasuu")
    token = csrf_token(client.get("/admin/users/new").text)
    users = db.session.scalar(sa.select(sa.func.count(User.id)))
    for forged in ({"agency": agency("SOKULUK-COMMITTEE").id, "role": "lead"},
                   {"agency": agency("KARASUU-COMMITTEE").id, "role": "admin"},
                   {"agency": "", "role": "member"}):
        response = client.post("/admin/users/new", data={
            "csrf_token": token, "full_name": "X", "username": "forged.karasuu",
            "language": "", **forged})
        assert response.status_code == 200
        assert "Choose a value from the list." in response.text
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == users
    # Another agency's user by id answers as if there were no such user.
    police = user("police.sokuluk")
    assert client.get(f"/admin/users/{police.id}").status_code == 404
    assert client.post(f"/admin/users/{police.id}", data={
        "csrf_token": token, "full_name": "X", "role": "member"}).status_code == 404


def test_admin_pages_show_no_case_content(login_as, client, agency):
    login_as("admin")
    names = db.session.scalars(sa.text("SELECT last_name FROM people")).all()
    pages = [client.get(url).text for url in (
        "/admin/users", "/admin/agencies", f"/admin/agencies/{agency('SOKULUK-SOCIAL').id}",
        "/admin/territories", "/admin/settings", "/profile")]
    for page in pages:
        assert not any(f">{name}" in page or f" {name} " in page for name in set(names))
        assert 'href="/cases' not in page
