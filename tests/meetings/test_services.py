"""Meeting services: the agenda proposal, its editing, attendance, decisions, access."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from coordination import policy
from coordination.accounts.models import Role
from coordination.accounts.services import create_user
from coordination.agencies.models import Agency, AgencyType
from coordination.audit.models import AuditAction, AuditEvent
from coordination.cases.models import (
    Case,
    CaseStatus,
    IncidentPlace,
    Reporter,
    RiskLevel,
    TimelineKind,
    ViolenceForm,
)
from coordination.cases.services import IncidentData, record_incident
from coordination.consent.models import ConsentScope
from coordination.consent.services import record_consent
from coordination.extensions import db
from coordination.followups.models import FollowUpStatus
from coordination.followups.services import FollowUpData, add_follow_up, close_follow_up
from coordination.meetings import services
from coordination.meetings.models import AgendaReason, Meeting, MeetingStatus
from coordination.referrals.models import LegalGround, Priority, ReferralService
from coordination.referrals.services import move_referral, send_referral
from coordination.refusals import RuleBroken, Stale
from coordination.territories.services import territory_by_code
from tests.helpers import DEMO_PASSWORD
from tests.meetings.conftest import decide, hold
from tests.workflow.conftest import NOW


def _reasons(proposal, case) -> tuple[AgendaReason, ...] | None:
    found = [p.reasons for p in proposal if p.case_id == case.id]
    assert len(found) <= 1, "a case is proposed once"
    return found[0] if found else None


def _incident(case, occurred_on: date, user) -> None:
    """Another incident, recorded as users do (the service applies the repeat rule)."""
    record_incident(user, case, IncidentData(
        occurred_on=occurred_on, forms=[ViolenceForm.PHYSICAL],
        place=IncidentPlace.SHARED_HOME, reported_by=Reporter.SURVIVOR), now=NOW)


def _follow_up(case, user, agency, due: date, now=NOW):
    return add_follow_up(user, case, FollowUpData("Посетить семью", agency.id, due,
                                                  legal_ground=LegalGround.DANGER_TO_LIFE),
                         now=now)


def _declined_referral(case, user, receiver, at):
    sender = user("coordinator.sokuluk")
    record_consent(sender, case, ConsentScope.SHARING, receiver.agency.type, now=at)
    referral = send_referral(sender, case, receiver.agency_id, ReferralService.SHELTER,
                             Priority.NORMAL, now=at)
    move_referral(receiver, referral, "decline", referral.version, "Нет мест",
                  now=at + timedelta(minutes=30))
    return referral


# --- the proposal ----------------------------------------------------------------------


def test_each_reason_puts_a_case_on_the_agenda_once_with_all_its_reasons(
        new_case, user, agency, meeting):
    coordinator = user("coordinator.sokuluk")
    lsg = agency("SOKULUK-LSG")
    high, repeat, overdue, declined, both, plain = (new_case() for _ in range(6))
    high.risk_level = RiskLevel.HIGH
    _incident(repeat, date(2026, 3, 1), coordinator)
    _follow_up(overdue, coordinator, lsg, due=NOW.date() + timedelta(days=2))
    _declined_referral(declined, user, user("crisis.sokuluk"), NOW)
    both.risk_level = RiskLevel.HIGH
    _follow_up(both, coordinator, lsg, due=NOW.date() + timedelta(days=3))
    _follow_up(plain, coordinator, lsg, due=NOW.date() + timedelta(days=30))  # after the meeting

    proposal = services.agenda_proposal(meeting(days=7), now=NOW + timedelta(hours=1))
    assert _reasons(proposal, high) == (AgendaReason.HIGH_RISK,)
    assert _reasons(proposal, repeat) == (AgendaReason.REPEAT,)
    assert _reasons(proposal, overdue) == (AgendaReason.OVERDUE_FOLLOW_UPS,)
    assert _reasons(proposal, declined) == (AgendaReason.DECLINED_REFERRAL,)
    assert _reasons(proposal, both) == (AgendaReason.HIGH_RISK, AgendaReason.OVERDUE_FOLLOW_UPS)
    assert _reasons(proposal, plain) is None
    assert len({p.case_id for p in proposal}) == len(proposal)


def test_only_open_cases_of_the_committees_territory_are_proposed(new_case, user, meeting):
    closed = new_case()
    closed.risk_level = RiskLevel.HIGH
    closed.status = CaseStatus.CLOSED
    db.session.flush()
    proposal = services.agenda_proposal(meeting(), now=NOW)
    cases = db.session.scalars(sa.select(Case).where(Case.id.in_([p.case_id for p in proposal])))
    sokuluk = user("coordinator.sokuluk").agency.territory_id
    assert proposal
    for case in cases:
        assert case.district_id == sokuluk
        assert case.status != CaseStatus.CLOSED
    assert _reasons(proposal, closed) is None
    # Every open high-risk case of the district is there; none of Kara-Suu's.
    expected = set(db.session.scalars(sa.select(Case.id).where(
        Case.district_id == sokuluk, Case.risk_level == RiskLevel.HIGH,
        Case.status != CaseStatus.CLOSED)))
    assert expected <= {p.case_id for p in proposal}


def test_high_risk_cases_come_first(meeting):
    proposal = services.agenda_proposal(meeting(), now=NOW)
    high = [AgendaReason.HIGH_RISK in p.reasons for p in proposal]
    assert high == sorted(high, reverse=True)


def test_repeat_cases_go_on_the_agenda_proposal(new_case, user):
    coordinator = user("coordinator.sokuluk")
    within, outside, single = new_case(), new_case(), new_case()
    first = within.incidents[0].occurred_on
    _incident(within, first - timedelta(days=365), coordinator)
    _incident(outside, first - timedelta(days=366), coordinator)
    repeats = set(db.session.scalars(services.repeat_case_ids_query()))
    assert within.id in repeats
    assert outside.id not in repeats
    assert single.id not in repeats


def test_declined_referrals_count_since_the_previous_meeting(new_case, user, meeting):
    coordinator = user("coordinator.sokuluk")
    crisis = user("crisis.sokuluk")
    earlier, later = new_case(), new_case()
    _declined_referral(earlier, user, crisis, NOW + timedelta(hours=1))
    previous = meeting(days=1)
    hold(coordinator, previous, NOW + timedelta(days=1, hours=2))
    _declined_referral(later, user, crisis, NOW + timedelta(days=1, hours=3))
    upcoming = meeting(days=7, now=NOW + timedelta(days=1, hours=4))
    assert services.declined_since(upcoming, NOW) == previous.scheduled_for
    proposal = services.agenda_proposal(upcoming, now=NOW + timedelta(days=1, hours=4))
    assert _reasons(proposal, later) == (AgendaReason.DECLINED_REFERRAL,)
    assert _reasons(proposal, earlier) is None


def test_a_first_meeting_looks_back_30_days_for_declined_referrals(user):
    talas = territory_by_code("41707")  # a region without demo data
    committee = Agency(code="TALAS-COMMITTEE", type=AgencyType.COMMITTEE, territory=talas,
                       name="Комитет Таласской области")
    db.session.add(committee)
    head = create_user("coordinator.talas", "Асель Т.", committee, Role.LEAD, DEMO_PASSWORD)
    db.session.flush()
    first = services.schedule_meeting(head, services.MeetingData(NOW + timedelta(days=3), "Зал"),
                                      now=NOW)
    assert services.declined_since(first, NOW) == NOW - timedelta(days=30)
    assert first.agenda == []


def test_scheduling_proposes_and_marks_the_cases_timelines(new_case, user, meeting):
    case = new_case()
    case.risk_level = RiskLevel.HIGH
    db.session.flush()
    scheduled = meeting()
    item = next(i for i in scheduled.agenda if i.case_id == case.id)
    assert item.reasons == [AgendaReason.HIGH_RISK]
    assert [p.case_id for p in services.agenda_proposal(scheduled, now=NOW)] == [
        i.case_id for i in scheduled.agenda]
    assert TimelineKind.PUT_ON_AGENDA in [e.kind for e in case.timeline]
    actions = db.session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.object_type == "meeting", AuditEvent.object_id == scheduled.id)).all()
    assert {AuditAction.MEETING_SCHEDULED, AuditAction.AGENDA_PROPOSED} <= set(actions)


# --- editing the agenda ----------------------------------------------------------------


def test_removed_cases_stay_off_when_proposed_again(new_case, user, meeting):
    coordinator = user("coordinator.sokuluk")
    case = new_case()
    case.risk_level = RiskLevel.HIGH
    db.session.flush()
    scheduled = meeting()
    item = next(i for i in scheduled.agenda if i.case_id == case.id)
    services.remove_agenda_item(coordinator, item, now=NOW)
    assert case.id not in {i.case_id for i in scheduled.agenda}
    services.propose_agenda(coordinator, scheduled, now=NOW)
    assert case.id not in {i.case_id for i in scheduled.agenda}
    with pytest.raises(RuleBroken, match="no longer on the agenda"):
        services.remove_agenda_item(coordinator, item, now=NOW)
    # Added back by hand: the same item, with its reasons and "added by hand".
    services.add_agenda_case(coordinator, scheduled, case.reference.lower(), now=NOW)
    assert item.reasons == [AgendaReason.HIGH_RISK, AgendaReason.ADDED_BY_HAND]
    assert [e.kind for e in case.timeline].count(TimelineKind.PUT_ON_AGENDA) == 2


def test_a_case_is_added_by_reference_only_if_the_committee_sees_it(new_case, user, meeting):
    coordinator = user("coordinator.sokuluk")
    scheduled = meeting()
    case = new_case()
    item = services.add_agenda_case(coordinator, scheduled, f"  {case.reference} ", now=NOW)
    assert item.reasons == [AgendaReason.ADDED_BY_HAND]
    assert scheduled.agenda[-1] is item
    with pytest.raises(RuleBroken, match="already on the agenda"):
        services.add_agenda_case(coordinator, scheduled, case.reference, now=NOW)
    karasuu = db.session.scalar(sa.select(Case).join(Case.district).where(
        sa.text("territories.code = '41706226'")).limit(1))
    for reference in (karasuu.reference, "DV-2026-NOSUCH"):
        with pytest.raises(RuleBroken, match="no case with this reference"):
            services.add_agenda_case(coordinator, scheduled, reference, now=NOW)


def test_decided_cases_stay_on_the_agenda(new_case, user, agency, meeting):
    coordinator = user("coordinator.sokuluk")
    case = new_case()
    scheduled = meeting()
    item = services.add_agenda_case(coordinator, scheduled, case.reference, now=NOW)
    decide(coordinator, scheduled, case, agency("SOKULUK-LSG").id)
    with pytest.raises(RuleBroken, match="stays on the agenda"):
        services.remove_agenda_item(coordinator, item, now=NOW)


# --- decisions, attendance, holding the meeting ---------------------------------------------


def test_a_decision_is_a_follow_up_and_its_owner_sees_the_case(new_case, user, agency, meeting):
    coordinator = user("coordinator.sokuluk")
    lsg = user("lsg.sokuluk")
    case = new_case()
    scheduled = meeting()
    services.add_agenda_case(coordinator, scheduled, case.reference, now=NOW)
    assert not policy.can(lsg, policy.Action.VIEW_CASE, case)
    decision = decide(coordinator, scheduled, case, lsg.agency_id, lsg.id)
    db.session.flush()
    assert decision.meeting_id == scheduled.id
    assert decision.owner_agency_id == lsg.agency_id
    assert decision.owner_user_id == lsg.id
    assert decision in case.follow_ups
    assert scheduled.decisions == [decision]
    assert policy.can(lsg, policy.Action.VIEW_CASE, case)
    assert TimelineKind.FOLLOW_UP_ADDED in [e.kind for e in case.timeline]


def test_decisions_follow_the_follow_up_rules(new_case, user, agency, meeting):
    coordinator = user("coordinator.sokuluk")
    on_agenda, elsewhere = new_case(), new_case()
    scheduled = meeting()
    services.add_agenda_case(coordinator, scheduled, on_agenda.reference, now=NOW)
    with pytest.raises(RuleBroken, match="from the agenda"):
        decide(coordinator, scheduled, elsewhere, agency("SOKULUK-LSG").id)
    with pytest.raises(RuleBroken, match="from the list"):
        decide(coordinator, scheduled, on_agenda, agency("KARASUU-LSG").id)
    with pytest.raises(RuleBroken, match="past"):
        decide(coordinator, scheduled, on_agenda, agency("SOKULUK-LSG").id, days=-1)
    assert scheduled.decisions == []


def test_attendance_only_from_agencies_serving_the_territory(user, agency, meeting):
    coordinator = user("coordinator.sokuluk")
    scheduled = meeting()
    candidates = {a.id for a in services.attendance_candidates(scheduled)}
    assert agency("SOKULUK-POLICE").id in candidates
    assert agency("KARASUU-POLICE").id not in candidates
    assert agency("MLSSM-GENDER").id not in candidates
    with pytest.raises(RuleBroken, match="from the list"):
        services.record_attendance(coordinator, scheduled, [agency("KARASUU-POLICE").id],
                                   scheduled.version, now=NOW)
    version = scheduled.version
    services.record_attendance(coordinator, scheduled, [agency("SOKULUK-POLICE").id,
                                                        coordinator.agency_id], version, now=NOW)
    assert scheduled.version == version + 1
    with pytest.raises(Stale):
        services.record_attendance(coordinator, scheduled, [], version, now=NOW)
    services.record_attendance(coordinator, scheduled, [coordinator.agency_id],
                               scheduled.version, now=NOW)
    assert [a.agency_id for a in scheduled.attendances] == [coordinator.agency_id]


def test_held_on_its_day_with_attendance_and_every_agenda_case_marked(new_case, user, meeting):
    coordinator = user("coordinator.sokuluk")
    case = new_case()
    scheduled = meeting(days=2)
    services.add_agenda_case(coordinator, scheduled, case.reference, now=NOW)
    with pytest.raises(RuleBroken, match="before its day"):
        services.mark_held(coordinator, scheduled, scheduled.version, now=NOW)
    on_the_day = NOW + timedelta(days=2, hours=1)
    with pytest.raises(RuleBroken, match="attended"):
        services.mark_held(coordinator, scheduled, scheduled.version, now=on_the_day)
    services.record_attendance(coordinator, scheduled, [coordinator.agency_id],
                               scheduled.version, now=on_the_day)
    services.mark_held(coordinator, scheduled, scheduled.version, now=on_the_day)
    assert scheduled.status == MeetingStatus.HELD
    assert scheduled.held_at == on_the_day
    assert TimelineKind.DISCUSSED_AT_MEETING in [e.kind for e in case.timeline]
    with pytest.raises(RuleBroken, match="not possible now"):
        services.propose_agenda(coordinator, scheduled, now=on_the_day)


def test_previous_meetings_open_decisions_are_reviewed_first(new_case, user, agency, meeting):
    coordinator = user("coordinator.sokuluk")
    lsg = user("lsg.sokuluk")
    case = new_case()
    previous = meeting(days=1)
    services.add_agenda_case(coordinator, previous, case.reference, now=NOW)
    still_open = decide(coordinator, previous, case, lsg.agency_id)
    done = decide(coordinator, previous, case, lsg.agency_id, action="План безопасности")
    _follow_up(case, coordinator, agency("SOKULUK-LSG"), NOW.date())  # not a decision
    hold(coordinator, previous, NOW + timedelta(days=1))
    db.session.flush()
    close_follow_up(lsg, done, True, done.version, "Сделано", now=NOW + timedelta(days=2))
    upcoming = meeting(days=8, now=NOW + timedelta(days=2))
    assert services.previous_meeting(upcoming) == previous
    review = services.open_decisions_to_review(coordinator, upcoming)
    assert still_open in review
    assert done not in review
    assert all(f.meeting_id is not None and f.status == FollowUpStatus.OPEN for f in review)
    assert all(f.meeting_id != upcoming.id for f in review)
    # The previous meeting itself does not review its own decisions.
    assert still_open not in services.open_decisions_to_review(coordinator, previous)


def test_reschedule_and_cancel_are_for_the_head_and_before_the_meeting(
        user, meeting, committee_member):
    coordinator = user("coordinator.sokuluk")
    scheduled = meeting()
    later = services.MeetingData(NOW + timedelta(days=9), "Айыл окмоту")
    with pytest.raises(PermissionError):
        services.reschedule_meeting(committee_member, scheduled, later, scheduled.version,
                                    now=NOW)
    with pytest.raises(RuleBroken, match="past"):
        services.reschedule_meeting(coordinator, scheduled, services.MeetingData(
            NOW - timedelta(days=1), "Зал"), scheduled.version, now=NOW)
    services.reschedule_meeting(coordinator, scheduled, later, scheduled.version, now=NOW)
    assert scheduled.place == "Айыл окмоту"
    with pytest.raises(Stale):
        services.cancel_meeting(coordinator, scheduled, scheduled.version - 1, now=NOW)
    with pytest.raises(PermissionError):
        services.cancel_meeting(committee_member, scheduled, scheduled.version, now=NOW)
    services.cancel_meeting(coordinator, scheduled, scheduled.version, now=NOW)
    assert scheduled.status == MeetingStatus.CANCELLED
    with pytest.raises(RuleBroken, match="cancelled"):
        services.add_agenda_case(coordinator, scheduled, "DV-2026-ANY", now=NOW)
    with pytest.raises(RuleBroken, match="not possible now"):
        services.cancel_meeting(coordinator, scheduled, scheduled.version, now=NOW)


# --- who ---------------------------------------------------------------------------------


def test_members_prepare_and_record_but_only_the_head_schedules(
        new_case, user, meeting, committee_member):
    with pytest.raises(PermissionError):
        services.schedule_meeting(committee_member, services.MeetingData(
            NOW + timedelta(days=3), "Зал"), now=NOW)
    scheduled = meeting()
    case = new_case()
    services.add_agenda_case(committee_member, scheduled, case.reference, now=NOW)
    services.record_attendance(committee_member, scheduled, [committee_member.agency_id],
                               scheduled.version, now=NOW)
    decide(committee_member, scheduled, case, user("lsg.sokuluk").agency_id)


@pytest.mark.parametrize("username", ["police.sokuluk", "social.sokuluk", "ministry.analyst",
                                      "admin", "coordinator.karasuu"])
def test_no_one_else_touches_a_committees_meeting(user, meeting, username):
    scheduled = meeting()
    outsider = user(username)
    committee = username.startswith("coordinator.")
    assert policy.may_use(outsider, policy.Section.MEETINGS) is committee
    assert db.session.scalar(policy.visible_meetings(outsider).where(
        Meeting.id == scheduled.id)) is None
    with pytest.raises(NotFound):
        services.get_meeting_or_404(outsider, scheduled.id)
    for action in (policy.Action.VIEW_MEETING, policy.Action.PREPARE_AGENDA,
                   policy.Action.RECORD_MEETING, policy.Action.MANAGE_MEETING):
        assert not policy.can(outsider, action, scheduled)
    with pytest.raises(PermissionError):
        services.propose_agenda(outsider, scheduled, now=NOW)
    # A committee's head schedules its own committee's meetings, never another's.
    assert policy.can(outsider, policy.Action.SCHEDULE_MEETING, outsider.agency) is committee
    assert not policy.can(outsider, policy.Action.SCHEDULE_MEETING,
                          user("coordinator.sokuluk").agency)
    if not committee:
        with pytest.raises(PermissionError):
            services.schedule_meeting(outsider, services.MeetingData(
                NOW + timedelta(days=3), "Зал"), now=NOW)


def test_unknown_meeting_actions_raise(user, meeting):
    with pytest.raises(ValueError):
        policy.can(user("coordinator.sokuluk"), policy.Action.REFER, meeting())
