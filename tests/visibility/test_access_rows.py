"""The case-access rows hold the policy's case rule: for every demo user and
case, and after every step of the workflow that changes who is involved."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from coordination import policy
from coordination.agencies.models import Agency
from coordination.cases.models import Case, CaseStatus, ClosureReason
from coordination.demo import demo_usernames
from coordination.extensions import db
from coordination.followups import services as followups
from coordination.referrals.models import LegalGround, Priority, ReferralService
from coordination.referrals.services import move_referral, send_referral
from coordination.territories.services import territory_by_code
from coordination.transfers import services as transfers
from coordination.visibility import index
from coordination.visibility.models import CaseAccess
from tests.workflow.conftest import NOW
from tests.workflow.test_case_management import _promote


def _agree(user) -> None:
    listed = set(db.session.scalars(sa.select(Case.id).where(policy.case_visibility(user))))
    by_rule = set(db.session.scalars(
        sa.select(Case.id).where(policy.case_visibility_by_rule(user))))
    assert listed == by_rule, user.username


def _step(*users) -> None:
    assert index.differences() == 0
    for user in users:
        _agree(user)


def test_the_rows_hold_the_rule_for_every_demo_user(user):
    assert index.differences() == 0
    for username in demo_usernames():
        _agree(user(username))


def test_every_step_that_changes_who_is_involved_keeps_the_rows(new_case, user, agency):
    police, health = user("police.sokuluk"), user("health.sokuluk")
    coordinator = user("coordinator.sokuluk")
    case = new_case()
    _step(police, health, coordinator)
    referral = send_referral(coordinator, case, agency("SOKULUK-POLICE").id,
                             ReferralService.POLICE_PROTECTION, Priority.NORMAL,
                             LegalGround.DANGER_TO_LIFE, now=NOW)
    db.session.flush()  # within the transaction already, before any commit
    _step(police)
    move_referral(police, referral, "decline", referral.version, "Not ours", now=NOW)
    db.session.flush()
    _step(police)
    followups.add_follow_up(coordinator, case, followups.FollowUpData(
        action="Visit", owner_agency_id=agency("SOKULUK-HEALTH").id,
        due_on=date(2026, 12, 20), legal_ground=LegalGround.DANGER_TO_LIFE), now=NOW)
    db.session.commit()
    _step(health)
    transfer = transfers.propose_transfer(
        _promote(user, "social.sokuluk"), case,
        transfers.TransferProposal(territory_by_code("41706226").id, "moved", case.version))
    transfers.accept_transfer(user("coordinator.karasuu"), transfer, agency("KARASUU-SOCIAL").id)
    db.session.commit()
    _step(coordinator, user("coordinator.karasuu"), user("social.sokuluk"))
    head = _promote(user, "social.karasuu")
    from coordination.cases import services as cases

    cases.change_status(head, case, CaseStatus.CLOSED, case.version,
                        ClosureReason.SAFETY_PLAN_ACHIEVED, now=NOW)
    db.session.commit()
    _step(coordinator, user("social.sokuluk"))  # the former district stops seeing it


def test_an_agency_moved_to_another_territory_takes_its_new_cases(user):
    coordinator = user("coordinator.sokuluk")
    committee = db.session.get(Agency, coordinator.agency_id)
    committee.territory = territory_by_code("41706226")  # Kara-Suu
    db.session.flush()
    _step(coordinator)
    rows = db.session.scalar(sa.select(sa.func.count()).select_from(CaseAccess)
                             .where(CaseAccess.agency_id == committee.id))
    assert rows >= 60


def test_rebuild_restores_rows_removed_behind_the_application(user):
    db.session.execute(CaseAccess.__table__.delete().where(
        CaseAccess.agency_id == user("police.sokuluk").agency_id))
    assert index.differences() > 0
    index.rebuild()
    assert index.differences() == 0


def test_the_rows_carry_the_case_status_risk_and_district_after_each_change(new_case, user):
    """The copies the case list filters on follow the case in the same
    transaction: a risk assessment, a status change, a closure."""
    from coordination.cases import services as cases
    from coordination.risk import services as risk

    coordinator = user("coordinator.sokuluk")
    case = new_case()
    risk.assess(coordinator, case, set(risk.questions()[:15]), now=NOW)
    db.session.flush()
    assert index.differences([case.id]) == 0
    rows = db.session.scalars(sa.select(CaseAccess).where(CaseAccess.case_id == case.id)).all()
    assert rows and {(r.risk_level, r.status, r.district_id) for r in rows} == {
        (case.risk_level, case.status, case.district_id)}
    cases.change_status(coordinator, case, CaseStatus.ACTIVE, case.version, now=NOW)
    db.session.commit()
    assert index.differences([case.id]) == 0
    assert set(db.session.scalars(sa.select(CaseAccess.status).where(
        CaseAccess.case_id == case.id))) == {CaseStatus.ACTIVE}


def test_a_stale_copy_is_a_difference(new_case):
    case = new_case()
    db.session.execute(CaseAccess.__table__.update().where(CaseAccess.case_id == case.id)
                       .values(status=CaseStatus.CLOSED))
    assert index.differences([case.id]) > 0
    index.refresh([case.id])
    assert index.differences([case.id]) == 0
