"""A case moves from Sokuluk to Kara-Suu and back: proposal, answer, what moves,
who keeps reading it, and the policy's two forms agreeing throughout."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from coordination import policy
from coordination.audit.models import AuditAction, AuditEvent
from coordination.cases import services as case_services
from coordination.cases.models import Case, CaseStatus, PersonRole, Sex, ViolenceForm
from coordination.demo import demo_usernames
from coordination.extensions import db
from coordination.followups import services as followup_services
from coordination.referrals.models import LegalGround
from coordination.refusals import Forbidden, RuleBroken
from coordination.territories.services import territory_by_code
from coordination.transfers import services
from coordination.transfers.models import TransferStatus
from tests.helpers import pid, post_form
from tests.test_policy import _all_cases, _expected_visible

SOKULUK, KARASUU = "41708222", "41706226"


@pytest.fixture
def moving_case(user, agency):
    """A Sokuluk case opened by the police, led by social protection, with an
    open follow-up owned by the health centre."""
    police = user("police.sokuluk")
    case = case_services.register_case(police, case_services.CaseIntake(
        district_id=territory_by_code(SOKULUK).id,
        lead_agency_id=agency("SOKULUK-SOCIAL").id,
        survivor=case_services.PersonData(PersonRole.SURVIVOR, "Токтосунова", "Нургүл",
                                          Sex.FEMALE, 1994),
        incident=case_services.IncidentData(
            occurred_on=date(2026, 10, 1), forms=[ViolenceForm.PHYSICAL],
            place="shared_home", reported_by="survivor"),
    ))
    followup_services.add_follow_up(police, case, followup_services.FollowUpData(
        action="Home visit", owner_agency_id=agency("SOKULUK-HEALTH").id, owner_user_id=None,
        due_on=date(2026, 12, 20), legal_ground=LegalGround.DANGER_TO_LIFE))
    db.session.flush()
    return case


def _propose(user_, case, district):
    return services.propose_transfer(user_, case, services.TransferProposal(
        territory_by_code(district).id, "moved to her parents", case.version))


def _sees(user_, case) -> bool:
    listed = db.session.scalar(sa.select(sa.func.count()).where(
        Case.id == case.id, policy.case_visibility(user_)))
    per_row = db.session.scalar(sa.select(sa.func.count()).where(
        Case.id == case.id, policy.case_visibility_per_row(user_)))
    assert bool(listed) == bool(per_row)
    assert policy.can(user_, policy.Action.VIEW_CASE, case) == bool(listed)
    return bool(listed)


def test_a_case_moves_to_kara_suu_and_back(moving_case, user, agency):
    case = moving_case
    social = user("social.sokuluk")
    karasuu = user("coordinator.karasuu")
    assert not _sees(karasuu, case)

    transfer = _propose(social, case, KARASUU)
    assert services.inbox(karasuu) == [transfer]
    assert services.inbox(user("coordinator.sokuluk")) == []
    assert not _sees(karasuu, case)  # the inbox shows the reference, not the case

    services.accept_transfer(karasuu, transfer, agency("KARASUU-SOCIAL").id)
    db.session.flush()
    db.session.expire_all()
    assert case.district.code == KARASUU and case.lead_agency.code == "KARASUU-SOCIAL"
    assert case.municipality_id is None
    assert [f.owner_agency.code for f in case.follow_ups] == ["KARASUU-SOCIAL"]
    assert transfer.status == TransferStatus.ACCEPTED
    kinds = [event.kind for event in case.timeline]
    assert kinds[0] == "case_registered" and kinds[-2:] == ["transfer_proposed",
                                                           "transfer_accepted"]
    for username in ("coordinator.karasuu", "social.karasuu",  # the new territory
                     "coordinator.sokuluk", "social.sokuluk",  # keep reading until closure
                     "police.sokuluk"):  # opened it
        assert _sees(user(username), case), username
    assert not _sees(user("police.karasuu"), case)
    # The former committee reads, but no longer decides for the case.
    assert not policy.can(user("coordinator.sokuluk"), policy.Action.EDIT_CASE, case)

    back = _propose(user("social.karasuu"), case, SOKULUK)
    services.accept_transfer(user("coordinator.sokuluk"), back, agency("SOKULUK-SOCIAL").id)
    db.session.flush()
    db.session.expire_all()
    assert case.district.code == SOKULUK
    assert _sees(user("coordinator.karasuu"), case) and _sees(user("social.karasuu"), case)

    case.status = CaseStatus.CLOSED
    db.session.flush()
    assert not _sees(user("coordinator.karasuu"), case)
    assert not _sees(user("social.karasuu"), case)
    assert _sees(user("coordinator.sokuluk"), case)
    audited = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == AuditAction.TRANSFER_CHANGED, AuditEvent.object_id == case.id))
    assert audited == 4


WORK_ON_CASE = (policy.Action.REFER, policy.Action.ADD_FOLLOW_UP,
                policy.Action.RECORD_INCIDENT, policy.Action.ASSESS_RISK,
                policy.Action.RECORD_COURT_ORDER, policy.Action.RECORD_ORDER)


def test_a_former_party_only_reads_the_case(moving_case, user, agency):
    """After the move the former lead and committee may read the case, not
    refer, add follow-ups, record incidents or orders, or assess risk; the
    agency that opened it (still involved) and the new territory may."""
    case = moving_case
    social, committee = user("social.sokuluk"), user("coordinator.sokuluk")
    for action in WORK_ON_CASE[:4]:
        assert policy.can(social, action, case) and policy.can(committee, action, case)
    transfer = _propose(social, case, KARASUU)
    services.accept_transfer(user("coordinator.karasuu"), transfer, agency("KARASUU-SOCIAL").id)
    db.session.flush()
    db.session.expire_all()
    for former in (social, committee):
        assert policy.can(former, policy.Action.VIEW_CASE, case)
        # the case page asks with case_visible=True: the rule still refuses
        for visible in (False, True):
            for action in WORK_ON_CASE:
                assert not policy.can(former, action, case, case_visible=visible), \
                    (former.username, action)
    for current in ("police.sokuluk", "social.karasuu", "coordinator.karasuu"):
        for action in WORK_ON_CASE[:4]:
            assert policy.can(user(current), action, case), (current, action)


def test_truth_table_with_transfers(moving_case, user, agency):
    """Every demo user against every case, after a move: both forms agree with
    the rules restated here (the former lead and committee read until closure)."""
    transfer = _propose(user("social.sokuluk"), moving_case, KARASUU)
    services.accept_transfer(user("coordinator.karasuu"), transfer, agency("KARASUU-SOCIAL").id)
    db.session.flush()
    db.session.expire_all()

    def expected(subject, case) -> bool:
        former = case.status != CaseStatus.CLOSED and subject.agency.type != "ministry" \
            and subject.role != "admin" and any(
                t.status == TransferStatus.ACCEPTED and (
                    t.from_lead_agency_id == subject.agency_id
                    or (subject.agency.type == "committee"
                        and t.from_district_id == subject.agency.territory_id))
                for t in case.transfers)
        return _expected_visible(subject, case) or former

    cases = _all_cases()
    for username in demo_usernames():
        subject = user(username)
        listed = set(db.session.scalars(
            sa.select(Case.id).where(policy.case_visibility(subject))))
        per_row = set(db.session.scalars(
            sa.select(Case.id).where(policy.case_visibility_per_row(subject))))
        assert listed == per_row, username
        assert db.session.scalar(policy.count_visible_cases(subject)) == len(listed)
        # The SQL form of the reading (the case list's rows and filters) agrees.
        as_former_party = policy.cases_read_as_former_party(subject, listed)
        for case in cases:
            assert (case.id in listed) is expected(subject, case), (username, case.id)
            # How much of it: only the moved case's former lead and committee,
            # with no work on it now, read what they did (test_former_party.py).
            if case.id in listed:
                former = case.id == moving_case.id and username in ("social.sokuluk",
                                                                    "coordinator.sokuluk")
                assert policy.case_reading(subject, case) is (
                    policy.CaseReading.AS_FORMER_PARTY if former
                    else policy.CaseReading.IN_FULL), (username, case.id)
                assert (case.id in as_former_party) is former, (username, case.id)


def test_who_may_propose_answer_and_cancel(moving_case, user, agency):
    case = moving_case
    with pytest.raises(Forbidden):  # opened it, does not lead it
        _propose(user("police.sokuluk"), case, KARASUU)
    with pytest.raises(RuleBroken):  # its own district
        _propose(user("social.sokuluk"), case, SOKULUK)
    transfer = _propose(user("social.sokuluk"), case, KARASUU)
    with pytest.raises(RuleBroken):  # one proposal at a time
        _propose(user("social.sokuluk"), case, KARASUU)
    for username in ("coordinator.sokuluk", "social.karasuu", "police.karasuu"):
        with pytest.raises(Forbidden):
            services.accept_transfer(user(username), transfer, agency("KARASUU-SOCIAL").id)
    with pytest.raises(RuleBroken):  # a lead from another district
        services.accept_transfer(user("coordinator.karasuu"), transfer,
                                 agency("SOKULUK-SOCIAL").id)
    with pytest.raises(Forbidden):
        services.cancel_transfer(user("coordinator.karasuu"), transfer)
    services.cancel_transfer(user("social.sokuluk"), transfer)
    assert transfer.status == TransferStatus.CANCELLED
    with pytest.raises(Forbidden):
        services.accept_transfer(user("coordinator.karasuu"), transfer,
                                 agency("KARASUU-SOCIAL").id)


def test_decline_keeps_the_case_and_needs_a_reason(moving_case, user):
    transfer = _propose(user("social.sokuluk"), moving_case, KARASUU)
    with pytest.raises(RuleBroken):
        services.decline_transfer(user("coordinator.karasuu"), transfer, "  ")
    services.decline_transfer(user("coordinator.karasuu"), transfer, "She did not arrive")
    assert transfer.status == TransferStatus.DECLINED
    assert moving_case.district.code == SOKULUK
    assert not _sees(user("coordinator.karasuu"), moving_case)


def test_the_routes_move_a_case_and_refuse_outsiders(moving_case, login_as, browser, user,
                                                     agency):
    case = moving_case
    social = login_as("social.sokuluk")
    response = post_form(social, f"/cases/{pid(case)}/transfer",
                         {"to_district": str(territory_by_code(KARASUU).id),
                          "note": "", "version": str(case.version)},
                         token_from=f"/cases/{pid(case)}")
    assert response.status_code == 302
    db.session.expire_all()
    transfer = case.transfers[0]

    from tests.helpers import login
    other = browser()
    login(other, "police.karasuu")
    assert other.get(f"/transfers/{pid(transfer)}").status_code == 404

    committee = browser()
    login(committee, "coordinator.karasuu")
    assert case.reference in committee.get("/transfers").text
    assert case.reference in committee.get("/").text
    page = committee.get(f"/transfers/{pid(transfer)}")
    assert page.status_code == 200 and "Токтосунова" not in page.text
    assert committee.get(f"/cases/{pid(case)}").status_code == 404
    accepted = post_form(committee, f"/transfers/{pid(transfer)}/accept",
                         {"lead_agency": str(agency("KARASUU-SOCIAL").id)},
                         token_from=f"/transfers/{pid(transfer)}")
    assert accepted.status_code == 302
    assert committee.get(f"/cases/{pid(case)}").status_code == 200


def test_statistics_keep_each_unit_in_the_district_where_it_happened(moving_case, user, agency):
    """Issue 16, item 5: the registration and the incident happened in Sokuluk
    and stay counted there after the move; what is open now counts in Kara-Suu."""
    from coordination.statistics.records import records_for

    case = moving_case
    sokuluk, karasuu = territory_by_code(SOKULUK).id, territory_by_code(KARASUU).id
    transfer = _propose(user("social.sokuluk"), case, KARASUU)
    services.accept_transfer(user("coordinator.karasuu"), transfer, agency("KARASUU-SOCIAL").id)
    db.session.flush()
    db.session.expire_all()
    assert case.district_id == karasuu
    # What the layer stores on each change and what `flask statistics rebuild` writes.
    where = {(r["unit"], r["district_id"]) for r in records_for([case.id])}
    assert {("case", sokuluk), ("survivor", sokuluk), ("incident", sokuluk),
            ("form", sokuluk), ("open_follow_up", karasuu)} <= where, where
    assert ("case", karasuu) not in where and ("incident", karasuu) not in where


def test_asked_for_with_no_other_district_the_transfer_form_says_so(moving_case, login_as):
    """The opener is drawn without reading the districts (issue 17): the form
    asked for then says there is nowhere to move the case, and offers nothing."""
    from coordination.territories.models import Territory, TerritoryLevel

    case = moving_case
    db.session.execute(sa.update(Territory).where(
        Territory.level == TerritoryLevel.DISTRICT, Territory.id != case.district_id)
        .values(active=False))
    db.session.commit()
    client = login_as("social.sokuluk")
    assert 'id="propose-transfer"><a href=' in client.get(f"/cases/{pid(case)}").text
    page = client.get(f"/cases/{pid(case)}?form=propose-transfer").text
    drawn = page.split('id="propose-transfer"', 1)[1].split("</details>", 1)[0]
    assert "There is no other active district to transfer the case to." in drawn
    assert "<form" not in drawn
