"""The directory as a referral directory: services, phone, address, hours, languages."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from coordination.agencies import services
from coordination.audit.models import AuditAction, AuditEvent
from coordination.extensions import db
from coordination.refusals import Forbidden, RuleBroken
from tests.helpers import pid, post_form

ENTRY = {
    "services": "Shelter for women and children\n\n  Psychological counselling  ",
    "phone": "+996 312 123456",
    "address": "Сокулук, ул. Ленина, 12",
    "hours": "Mon-Fri 9:00-18:00, hotline 24/7",
    "languages": "Kyrgyz, Russian",
}


def test_administrator_edits_the_entry_and_it_is_audited(login_as, agency, user):
    crisis = agency("SOKULUK-CRISIS_CENTRE")
    client = login_as("admin")
    url = f"/admin/agencies/{crisis.id}/directory"
    response = post_form(client, url, ENTRY)
    assert response.status_code == 302
    db.session.expire_all()
    assert crisis.service_lines == ["Shelter for women and children", "Psychological counselling"]
    assert crisis.phone == "+996 312 123456"
    assert crisis.languages == "Kyrgyz, Russian"
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == AuditAction.AGENCY_UPDATED, AuditEvent.object_id == crisis.id,
        AuditEvent.user_id == user("admin").id)) == 1
    assert "Psychological counselling" in client.get(f"/admin/agencies/{crisis.id}").text


def test_a_bad_phone_is_refused_and_nothing_changes(login_as, agency):
    crisis = agency("SOKULUK-CRISIS_CENTRE")
    client = login_as("admin")
    page = post_form(client, f"/admin/agencies/{crisis.id}/directory",
                     {**ENTRY, "phone": "call me"})
    assert page.status_code == 200
    assert "Enter a phone number" in page.text
    db.session.expire_all()
    assert crisis.phone is None and crisis.services is None


def test_only_administrators_edit_entries(user, agency):
    with pytest.raises(Forbidden):
        services.update_directory_entry(
            user("coordinator.sokuluk"), agency("SOKULUK-CRISIS_CENTRE"),
            services.DirectoryEntry(phone="+996 312 1"))
    with pytest.raises(RuleBroken):
        services.update_directory_entry(user("admin"), agency("SOKULUK-CRISIS_CENTRE"),
                                        services.DirectoryEntry(phone="x"))


def test_directory_and_referral_form_show_what_the_receiver_offers(login_as, user, agency):
    services.update_directory_entry(user("admin"), agency("SOKULUK-CRISIS_CENTRE"),
                                    services.DirectoryEntry(**ENTRY))
    db.session.flush()
    client = login_as("coordinator.sokuluk")
    directory = client.get("/directory").text
    assert "Psychological counselling" in directory and "+996 312 123456" in directory
    from coordination.cases.models import Case, CaseStatus
    from coordination.policy import visible_cases
    coordinator = user("coordinator.sokuluk")
    case = db.session.scalars(visible_cases(coordinator).where(
        Case.status != CaseStatus.CLOSED).limit(1)).one()
    page = client.get(f"/cases/{pid(case)}").text
    assert "What the receiving agencies offer" in page
    assert "Shelter for women and children" in page
