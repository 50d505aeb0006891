"""The case list, case page, inboxes and reports work on synthetic data."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from coordination import policy
from coordination.accounts.models import User
from coordination.agencies.models import Agency, AgencyType
from coordination.cases.models import Case
from coordination.extensions import db
from coordination.followups.models import FollowUp, FollowUpStatus
from coordination.referrals.models import Referral, ReferralStatus
from tests.helpers import pid


def _references(html: str) -> list[str]:
    return re.findall(r">(DV-\d{4}-[0-9A-Z]{6})</a>", html)


@pytest.mark.parametrize("username", ["coordinator.sokuluk", "police.sokuluk"])
def test_case_list_and_page(login_as, user, username):
    client = login_as(username)
    expected = db.session.scalars(
        policy.visible_cases(user(username)).with_only_columns(Case.reference)
        .order_by(Case.created_at.desc(), Case.id.desc())).all()
    assert expected
    listed = client.get("/cases")
    assert listed.status_code == 200
    assert _references(listed.text) == expected[:25]
    case_id = db.session.scalar(sa.select(Case.id).where(Case.reference == expected[-1]))
    page = client.get(f"/cases/{pid(case_id, 'case')}")
    assert page.status_code == 200 and expected[-1] in page.text
    found = client.get("/cases", query_string={"q": expected[0][:9]})
    assert expected[0] in _references(found.text)


def _busiest_police_officer() -> str:
    """The first account of the police agency with the most open follow-ups."""
    agency_id = db.session.scalar(
        sa.select(FollowUp.owner_agency_id).join(Agency, Agency.id == FollowUp.owner_agency_id)
        .where(Agency.type == AgencyType.POLICE, FollowUp.status == FollowUpStatus.OPEN)
        .group_by(FollowUp.owner_agency_id).order_by(sa.func.count().desc()).limit(1))
    return db.session.scalar(sa.select(User.username).where(
        User.agency_id == agency_id, User.username.startswith("police.")))


def test_inboxes_show_the_agencys_work(login_as, user):
    username = _busiest_police_officer()
    client = login_as(username)
    police = user(username)
    referrals = client.get("/referrals")
    assert referrals.status_code == 200
    waiting = db.session.scalars(sa.select(Referral).where(
        Referral.to_agency_id == police.agency_id,
        Referral.status == ReferralStatus.SENT)).all()
    for referral in waiting:
        assert referral.case.reference in referrals.text
    follow_ups = client.get("/followups")
    assert follow_ups.status_code == 200
    open_ones = db.session.scalars(sa.select(FollowUp).where(
        FollowUp.owner_agency_id == police.agency_id,
        FollowUp.status == FollowUpStatus.OPEN)).all()
    assert open_ones
    for follow_up in open_ones[:10]:
        assert follow_up.case.reference in follow_ups.text


@pytest.mark.parametrize("path", ["/reports", "/reports/aggregate.pdf",
                                  "/reports/aggregate.csv?from=2017-01&to=2021-12"])
def test_national_reports(login_as, path):
    client = login_as("ministry.analyst")
    response = client.get(path)
    assert response.status_code == 200
    assert len(response.data) > 1000
