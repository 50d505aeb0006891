"""The access policy as a truth table over every demo user and every case.

The SQL predicate (lists, search, counts) and the object check (detail
pages) must agree for every pair, and both must follow DESIGN.md section 4.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from coordination import policy
from coordination.accounts.models import User
from coordination.agencies.models import AgencyType
from coordination.cases.models import Case
from coordination.demo import demo_usernames
from coordination.extensions import db
from coordination.followups.models import FollowUp
from coordination.referrals.models import Referral


def _all_cases() -> list[Case]:
    return db.session.scalars(sa.select(Case).order_by(Case.id)).all()


def _expected_visible(user: User, case: Case) -> bool:
    """DESIGN.md section 4, restated independently of the policy module."""
    if user.role == "admin" or user.agency.type in (AgencyType.MINISTRY, AgencyType.COURT):
        return False
    if user.agency.type == AgencyType.COMMITTEE and case.district_id == user.agency.territory_id:
        return True
    return _expected_visible_by_involvement(user, case)


def _expected_visible_by_involvement(user: User, case: Case) -> bool:
    agency = user.agency_id
    return (
        agency in (case.opening_agency_id, case.lead_agency_id)
        or any(r.from_agency_id == agency for r in case.referrals)
        or any(r.to_agency_id == agency and r.status not in ("declined", "cancelled", "revoked")
               for r in case.referrals)
        # A follow-up an agency gave itself grants nothing (issue 14).
        or any(f.owner_agency_id == agency and not f.self_assigned for f in case.follow_ups)
        or any(p.provider_agency_id == agency for p in case.programmes)
        or any(o.issuing_agency_id == agency for o in case.protection_orders)
    )


@pytest.mark.parametrize("username", demo_usernames())
def test_sql_predicate_and_object_check_agree_with_the_rules(username, user):
    subject = user(username)
    visible_ids = set(db.session.scalars(policy.visible_cases(subject).with_only_columns(Case.id)))
    for case in _all_cases():
        expected = _expected_visible(subject, case)
        assert (case.id in visible_ids) is expected, (username, case.id)
        assert policy.can(subject, policy.Action.VIEW_CASE, case) is expected, (username, case.id)


@pytest.mark.parametrize("username", demo_usernames())
def test_the_list_form_the_row_form_and_the_count_agree(username, user):
    """Lists use the set form, single objects the per-row form: same cases."""
    subject = user(username)
    listed = set(db.session.scalars(sa.select(Case.id).where(policy.case_visibility(subject))))
    per_row = set(db.session.scalars(
        sa.select(Case.id).where(policy.case_visibility_per_row(subject))))
    by_rule = set(db.session.scalars(
        sa.select(Case.id).where(policy.case_visibility_by_rule(subject))))
    assert listed == per_row == by_rule  # the access rows hold the rule
    assert db.session.scalar(policy.count_visible_cases(subject)) == len(listed)
    for case_id in list(listed)[:3]:
        assert db.session.scalar(policy.visible_case(subject, case_id)).id == case_id


@pytest.mark.parametrize("form", [policy.case_visibility, policy.case_visibility_per_row])
@pytest.mark.parametrize("username", ["coordinator.sokuluk", "police.sokuluk", "social.karasuu"])
def test_the_predicate_works_in_queries_that_join_referrals_and_follow_ups(form, username, user):
    """Its subqueries must not be correlated to the outer query's tables."""
    subject = user(username)
    visible = set(db.session.scalars(policy.visible_cases(subject).with_only_columns(Case.id)))
    for model in (Referral, FollowUp):
        joined = db.session.execute(
            sa.select(model.id, model.case_id).join(model.case).where(form(subject))).all()
        everything = db.session.execute(sa.select(model.id, model.case_id)).all()
        assert joined and set(joined) == {row for row in everything if row.case_id in visible}


@pytest.mark.parametrize("level", ["municipality", "region"])
def test_both_forms_follow_a_committee_of_another_level(level, user):
    coordinator = user("coordinator.sokuluk")
    district = coordinator.agency.territory
    if level == "region":
        coordinator.agency.territory = district.parent
    else:
        case = db.session.scalar(sa.select(Case).where(Case.district_id == district.id,
                                                       Case.municipality_id.is_not(None)))
        coordinator.agency.territory = case.municipality
    db.session.flush()
    territory = coordinator.agency.territory
    expected = {
        case.id for case in _all_cases()
        if (case.municipality_id == territory.id if level == "municipality"
            else case.district.parent_id == territory.id)
        or _expected_visible_by_involvement(coordinator, case)
    }
    for form in (policy.case_visibility, policy.case_visibility_per_row,
                 policy.case_visibility_by_rule):
        assert set(db.session.scalars(sa.select(Case.id).where(form(coordinator)))) == expected
    assert db.session.scalar(policy.count_visible_cases(coordinator)) == len(expected)


def test_coordinators_see_their_whole_district_and_nothing_else(user):
    for district in ("sokuluk", "karasuu"):
        coordinator = user(f"coordinator.{district}")
        cases = db.session.scalars(policy.visible_cases(coordinator)).all()
        assert len(cases) >= 60
        assert {case.district_id for case in cases} == {coordinator.agency.territory_id}


def test_police_see_only_cases_they_are_involved_in(user):
    police = user("police.sokuluk")
    cases = db.session.scalars(policy.visible_cases(police)).all()
    district_total = db.session.scalar(
        sa.select(sa.func.count()).where(Case.district_id == police.agency.territory_id)
    )
    assert 0 < len(cases) < district_total
    assert all(_expected_visible(police, c) for c in cases)


@pytest.mark.parametrize("username", ["ministry.analyst", "admin", "court.sokuluk",
                                      "court.karasuu"])
def test_ministry_courts_and_admin_see_no_case(username, user):
    subject = user(username)
    assert db.session.scalars(policy.visible_cases(subject)).all() == []
    assert not policy.may_use(subject, policy.Section.CASES)
    assert not policy.works_on_cases(subject)


def test_a_court_is_given_no_case_work_even_by_involvement(user, agency):
    """Were a court named on a case (an order recorded as issued by it, a
    follow-up given to it), it would still see nothing: it works on no case."""
    from coordination.protection.models import ProtectionOrder

    clerk, court = user("court.sokuluk"), agency("SOKULUK-COURT")
    order = db.session.scalar(sa.select(ProtectionOrder).join(ProtectionOrder.case).where(
        Case.district_id == court.territory_id).order_by(ProtectionOrder.id).limit(1))
    order.issuing_agency_id = court.id
    db.session.flush()
    case = order.case
    for form in (policy.case_visibility, policy.case_visibility_per_row,
                 policy.case_visibility_by_rule):
        assert db.session.scalars(sa.select(Case.id).where(form(clerk))).all() == []
    for action in (policy.Action.VIEW_CASE, policy.Action.VIEW_RESTRICTED,
                   policy.Action.ADD_NOTE, policy.Action.REFER):
        assert not policy.can(clerk, action, case), action
    assert not policy.can(clerk, policy.Action.CHANGE_ORDER, order)


def _orders():
    from coordination.protection.models import ProtectionOrder

    return db.session.scalars(sa.select(ProtectionOrder).order_by(ProtectionOrder.id)).all()


@pytest.mark.parametrize("username", demo_usernames())
def test_order_status_is_a_courts_for_the_orders_of_its_territory(username, user):
    """The list form (the API's loader) and the rule agree, and say: a court,
    for the orders on the cases of its district; nobody else, for none."""
    from coordination.protection.models import ProtectionOrder

    subject = user(username)
    court = subject.agency.type == AgencyType.COURT and subject.role != "admin"
    assert policy.may_use(subject, policy.Section.ORDER_STATUS) is court
    readable = set(db.session.scalars(
        policy.visible_order_statuses(subject).with_only_columns(ProtectionOrder.id)))
    orders = _orders()
    assert orders
    for order in orders:
        expected = court and order.case.district_id == subject.agency.territory_id
        assert (order.id in readable) is expected, (username, order.id)
        assert policy.can(subject, policy.Action.READ_ORDER_STATUS, order) is expected
    assert bool(readable) is court


def test_only_a_courts_client_may_hold_order_status():
    from coordination.agencies.models import Agency
    from coordination.api.models import Scope

    for found in db.session.scalars(sa.select(Agency)):
        assert policy.may_hold_scope(found, Scope.READ_ORDER_STATUS) is (
            found.type == AgencyType.COURT), found.code
        assert policy.may_hold_scope(found, Scope.READ_STATISTICS)


def test_restricted_fields_for_lead_agency_and_committee(user):
    coordinator = user("coordinator.sokuluk")
    police = user("police.sokuluk")
    opened_not_led = db.session.scalar(
        sa.select(Case).where(Case.opening_agency_id == police.agency_id,
                              Case.lead_agency_id != police.agency_id)
    )
    led = db.session.scalar(sa.select(Case).where(Case.lead_agency_id == police.agency_id))
    assert policy.can(coordinator, policy.Action.VIEW_RESTRICTED, opened_not_led)
    assert not policy.can(police, policy.Action.VIEW_RESTRICTED, opened_not_led)
    assert policy.can(police, policy.Action.VIEW_RESTRICTED, led)


def test_unknown_actions_and_sections_raise(user):
    coordinator = user("coordinator.sokuluk")
    case = _all_cases()[0]
    with pytest.raises(ValueError):
        policy.can(coordinator, "view_case", case)
    with pytest.raises(ValueError):
        policy.may_use(coordinator, "cases")


def test_region_level_committee_sees_all_districts_of_its_region(user):
    """A committee serving a region (not only a district) covers its districts."""
    from coordination.territories.services import territory_by_code

    coordinator = user("coordinator.sokuluk")
    coordinator.agency.territory = territory_by_code("41708")  # Chui region
    db.session.flush()
    districts = {c.district.code for c in db.session.scalars(policy.visible_cases(coordinator))}
    assert districts == {"41708222"}  # the only Chui district with demo cases
    for case in _all_cases():
        in_region = case.district.parent.code == "41708"
        assert policy.can(coordinator, policy.Action.VIEW_CASE, case) is (
            in_region or coordinator.agency_id in (case.opening_agency_id, case.lead_agency_id)
        )


# --- administration -----------------------------------------------------------------


def _expected_manages(actor: User, target: User) -> bool:
    """Issue 4, restated independently: admins manage everyone; a head outside
    the ministry manages their own agency's non-administrators; nobody else."""
    if actor.role == "admin":
        return True
    return (actor.role == "lead" and actor.agency.type != AgencyType.MINISTRY
            and target.agency_id == actor.agency_id and target.role != "admin")


@pytest.mark.parametrize("username", demo_usernames())
def test_manageable_users_sql_and_object_check_agree(username, user, make_user):
    make_user("colleague.karasuu", "KARASUU-COMMITTEE")
    make_user("police.lead.sokuluk", "SOKULUK-POLICE", "lead")
    make_user("ministry.lead", "MLSSM-GENDER", "lead")
    actor = user(username)
    manageable = set(db.session.scalars(
        policy.manageable_users(actor).with_only_columns(User.id)))
    for target in db.session.scalars(sa.select(User)):
        expected = _expected_manages(actor, target)
        assert (target.id in manageable) is expected, (username, target.username)
        assert policy.can(actor, policy.Action.MANAGE_USER, target) is expected
        assert policy.can(actor, policy.Action.MOVE_USER, target) is (
            expected and actor.role == "admin")


def test_head_of_a_non_committee_agency_manages_only_their_agency(user, agency):
    police = user("police.sokuluk")
    police.role = "lead"
    db.session.flush()
    assert policy.may_use(police, policy.Section.ADMINISTRATION)
    assert not policy.may_use(police, policy.Section.AGENCY_DIRECTORY)
    assert not policy.may_use(police, policy.Section.AGENCIES)
    assert [a.code for a in db.session.scalars(policy.manageable_agencies(police))] == [
        "SOKULUK-POLICE"]
    assert policy.can(police, policy.Action.CREATE_USER_IN, agency("SOKULUK-POLICE"))
    assert not policy.can(police, policy.Action.CREATE_USER_IN, agency("SOKULUK-SOCIAL"))
    assert policy.assignable_roles(police) == ["member", "lead"]
    # Heading an agency gives no new case: the same cases as before.
    assert policy.may_use(police, policy.Section.CASES)


def test_a_ministry_head_administers_nothing(user, make_user):
    head = make_user("ministry.lead", "MLSSM-GENDER", "lead")
    assert not policy.may_use(head, policy.Section.ADMINISTRATION)
    assert db.session.scalars(policy.manageable_users(head)).all() == []
    assert policy.assignable_roles(head) == []


@pytest.mark.parametrize("username", demo_usernames())
def test_sections_by_role(username, user):
    subject = user(username)
    admin = username == "admin"
    head = username.startswith("coordinator.")
    assert policy.may_use(subject, policy.Section.ADMINISTRATION) is (admin or head)
    for section in (policy.Section.AGENCIES, policy.Section.REFERENCE_DATA,
                    policy.Section.SETTINGS):
        assert policy.may_use(subject, section) is admin
    assert policy.may_use(subject, policy.Section.AGENCY_DIRECTORY) is head


def test_directory_lists_agencies_within_the_committees_territory(user):
    coordinator = user("coordinator.sokuluk")
    agencies = db.session.scalars(policy.directory_agencies(coordinator)).all()
    assert {a.territory.code for a in agencies} == {"41708222"}
    assert db.session.scalars(policy.directory_agencies(user("admin"))).all() == []


# --- every way an agency becomes involved asks the one consent rule (issue 14) ------

from datetime import timedelta  # noqa: E402

from coordination.audit.models import AuditAction, AuditEvent  # noqa: E402
from coordination.consent.models import ConsentScope  # noqa: E402
from coordination.consent.services import record_consent  # noqa: E402
from coordination.followups import services as follow_ups  # noqa: E402
from coordination.meetings import services as meetings  # noqa: E402
from coordination.programmes import services as programmes  # noqa: E402
from coordination.referrals.models import LegalGround, Priority, ReferralService  # noqa: E402
from coordination.referrals.services import move_referral, send_referral  # noqa: E402
from coordination.refusals import RuleBroken  # noqa: E402
from tests.workflow.conftest import NOW  # noqa: E402


def _agency(code: str):
    from coordination.agencies.models import Agency

    return db.session.scalar(sa.select(Agency).where(Agency.code == code))


def _fresh_case(user) -> Case:
    """A new Sokuluk case opened by the committee, led by social protection,
    with no consent recorded (like the workflow tests' ``new_case``)."""
    from datetime import date

    from coordination.cases import services as cases
    from coordination.cases.models import PersonRole, Sex, ViolenceForm
    from coordination.territories.services import territory_by_code

    return cases.register_case(user("coordinator.sokuluk"), cases.CaseIntake(
        district_id=territory_by_code("41708222").id,
        lead_agency_id=_agency("SOKULUK-SOCIAL").id,
        survivor=cases.PersonData(PersonRole.SURVIVOR, "Жумабаева", "Айжан", Sex.FEMALE, 1990),
        incident=cases.IncidentData(occurred_on=date(2026, 11, 18),
                                    forms=[ViolenceForm.PHYSICAL], place="shared_home",
                                    reported_by="survivor"),
    ), now=NOW)

TARGET = "SOKULUK-CRISIS_CENTRE"  #: may receive referrals, own work and run programmes


def _involve(path: str, user, case, target, ground):
    """Involve ``target`` in ``case`` by ``path``; returns (object type, object)."""
    coordinator = user("coordinator.sokuluk")
    if path == "referral":
        return "referral", send_referral(coordinator, case, target.id, ReferralService.SHELTER,
                                         Priority.NORMAL, ground, now=NOW)
    if path == "follow_up":
        return "follow_up", follow_ups.add_follow_up(coordinator, case, follow_ups.FollowUpData(
            "Визит", target.id, NOW.date() + timedelta(days=3), legal_ground=ground), now=NOW)
    if path == "programme":
        return "programme", programmes.refer(coordinator, case, target.id, now=NOW,
                                             legal_ground=ground)
    meeting = meetings.schedule_meeting(coordinator, meetings.MeetingData(
        NOW + timedelta(days=1), "Зал"), now=NOW)
    meetings.add_agenda_case(coordinator, meeting, case.reference, now=NOW)
    return "follow_up", meetings.record_decision(coordinator, meeting, case.id,
                                                 follow_ups.FollowUpData(
        "Визит", target.id, NOW.date() + timedelta(days=3), legal_ground=ground), now=NOW)


def _both_forms(subject, case) -> set[bool]:
    listed = case.id in set(db.session.scalars(
        policy.visible_cases(subject).with_only_columns(Case.id)))
    return {listed, policy.can(subject, policy.Action.VIEW_CASE, case)}


def _overrides(object_type: str, object_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == AuditAction.CONSENT_OVERRIDDEN,
        AuditEvent.object_type == object_type, AuditEvent.object_id == object_id))


@pytest.mark.parametrize("path", ["referral", "follow_up", "programme", "meeting_decision"])
@pytest.mark.parametrize("cover", ["nothing", "consent", "legal_ground"])
def test_every_way_of_involving_an_agency_asks_the_consent_rule(path, cover, user):
    """Referral, follow-up owner, programme provider, meeting decision: without
    consent for the agency's type a legal ground is required, stored, and
    audited as an override; the agency sees the case only once covered."""
    case = _fresh_case(user)
    db.session.commit()
    target = _agency(TARGET)
    crisis = user("crisis.sokuluk")
    if cover == "consent":
        record_consent(user("coordinator.sokuluk"), case, ConsentScope.SHARING, target.type,
                       now=NOW)
    ground = LegalGround.CHILD_AT_RISK if cover == "legal_ground" else None
    if cover == "nothing":
        with pytest.raises(RuleBroken, match="not consented"):
            _involve(path, user, case, target, ground)
        db.session.rollback()
        assert _both_forms(crisis, case) == {False}
        return
    object_type, obj = _involve(path, user, case, target, ground)
    db.session.flush()
    assert obj.legal_ground == ground
    assert _overrides(object_type, obj.id) == (1 if ground else 0)
    assert _both_forms(crisis, case) == {True}


@pytest.mark.parametrize("given_by", ["itself", "the committee"])
def test_a_self_assigned_follow_up_never_outlives_the_referral(given_by, user):
    """The receiving agency gives itself a follow-up, declines the referral:
    it no longer sees the case (in lists, on the page, in its to-do list).
    Work given to it by another agency keeps it involved."""
    case = _fresh_case(user)
    coordinator, crisis = user("coordinator.sokuluk"), user("crisis.sokuluk")
    target = _agency(TARGET)
    record_consent(coordinator, case, ConsentScope.SHARING, target.type, now=NOW)
    referral = send_referral(coordinator, case, target.id, ReferralService.SHELTER,
                             Priority.NORMAL, now=NOW)
    author = crisis if given_by == "itself" else coordinator
    follow_up = follow_ups.add_follow_up(author, case, follow_ups.FollowUpData(
        "Визит", target.id, NOW.date() + timedelta(days=3)), now=NOW)
    assert follow_up.self_assigned is (given_by == "itself")
    move_referral(crisis, referral, "decline", referral.version, "Нет мест", now=NOW)
    db.session.flush()
    survives = given_by == "the committee"
    assert _both_forms(crisis, case) == {survives}
    inbox = follow_ups.follow_up_page(crisis, follow_ups.FollowUpFilters(), None, NOW.date(),
                                      NOW.date() + timedelta(days=6), size=1000).page.rows
    assert (follow_up in inbox) is survives


def test_notifications_follow_the_policy_at_read_time(user):
    """A referral's notification is listed while the receiving agency sees
    the case, and no longer once it has declined it (issue 14)."""
    from coordination.notifications import services as notifications

    case = _fresh_case(user)
    coordinator, crisis = user("coordinator.sokuluk"), user("crisis.sokuluk")
    target = _agency(TARGET)
    record_consent(coordinator, case, ConsentScope.SHARING, target.type, now=NOW)
    referral = send_referral(coordinator, case, target.id, ReferralService.SHELTER,
                             Priority.NORMAL, now=NOW)
    db.session.flush()

    def listed() -> bool:
        items, _read = notifications.page_for(crisis)
        return any(n.case_id == case.id for n in items.items)

    unread = notifications.unread_count(crisis)
    assert listed()
    move_referral(crisis, referral, "decline", referral.version, "Нет мест", now=NOW)
    db.session.flush()
    assert not listed()
    assert notifications.unread_count(crisis) == unread - 1
    assert notifications.mark_all_read(crisis) == unread - 1
