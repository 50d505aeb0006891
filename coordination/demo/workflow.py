"""Demo data for the workflow: consent, referrals in every state, follow-ups.

Everything goes through the services, so the demo obeys the same rules as
users (no referral without consent or a legal ground, deadlines from config).
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from coordination import policy
from coordination.accounts.models import User
from coordination.agencies.models import AgencyType
from coordination.cases.models import (
    Case,
    CaseStatus,
    IncidentPlace,
    Reporter,
    RiskLevel,
    ViolenceForm,
)
from coordination.cases.services import IncidentData, record_incident
from coordination.consent.models import ConsentScope
from coordination.consent.services import covers, is_covered, record_consent, withdraw_consent
from coordination.extensions import db
from coordination.followups.services import FollowUpData, add_follow_up, close_follow_up
from coordination.programmes.services import move as move_programme
from coordination.programmes.services import refer as refer_to_programme
from coordination.protection.models import OrderKind, OrderStatus
from coordination.protection.services import (
    OrderData,
    extend_order,
    record_order,
    record_violation,
)
from coordination.referrals.models import LegalGround, Priority, ReferralService
from coordination.referrals.services import move_referral, send_referral
from coordination.risk.services import assess
from coordination.risk.services import questions as risk_questions

#: What each agency type is usually asked for.
SERVICES = {
    AgencyType.POLICE: ReferralService.POLICE_PROTECTION,
    AgencyType.SOCIAL: ReferralService.SOCIAL_BENEFIT,
    AgencyType.HEALTH: ReferralService.MEDICAL,
    AgencyType.CRISIS_CENTRE: ReferralService.SHELTER,
    AgencyType.LSG: ReferralService.OTHER,
    AgencyType.COMMITTEE: ReferralService.LEGAL_AID,
}
#: Follow-up actions (Russian, as the demo's staff write them).
ACTIONS = (
    "Посетить семью и оценить безопасность",
    "Проверить соблюдение охранного ордера",
    "Оформить пособие на детей",
    "Записать на консультацию психолога",
    "Провести беседу с лицом, совершившим насилие",
    "Подготовить план безопасности",
    "Сопроводить в суд",
    "Связаться со школой детей",
)
DECLINE_REASONS = ("Нет свободных мест", "Не входит в нашу компетенцию",
                   "Пострадавшая отказалась от услуги")
OUTCOMES = ("Услуга оказана", "Размещена в убежище на 14 дней", "Проведено 5 консультаций",
            "Назначено пособие")


def add_workflow(rng: random.Random, case: Case, staff: dict[AgencyType, User],
                 now: datetime, risk: RiskLevel | None) -> None:
    """Give ``case`` a plausible history: consent, risk, referrals, follow-ups,
    orders, a programme, sometimes a repeat incident."""
    created = case.created_at
    coordinator = staff[AgencyType.COMMITTEE]
    if risk is not None:
        _assess(rng, case, coordinator, risk, created + timedelta(minutes=40))
    if rng.random() < 0.45:
        _order(rng, case, staff[AgencyType.POLICE], created + timedelta(hours=rng.uniform(1, 20)),
               now)
    if rng.random() < 0.08:
        _repeat_incident(rng, case, coordinator, now)
    if rng.random() < 0.1:
        _programme(rng, case, coordinator, staff, created + timedelta(days=rng.uniform(2, 20)),
                   now)
    at = created + timedelta(minutes=20)
    if rng.random() < 0.75:
        for agency_type in rng.sample([AgencyType.POLICE, AgencyType.SOCIAL, AgencyType.HEALTH,
                                       AgencyType.CRISIS_CENTRE], k=rng.randint(1, 4)):
            record_consent(coordinator, case, ConsentScope.SHARING, agency_type, now=at)
    if rng.random() < 0.9:
        consent = record_consent(coordinator, case, ConsentScope.STATISTICS, now=at)
        if rng.random() < 0.04:
            withdraw_consent(coordinator, consent, now=at + timedelta(days=2))
    for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
        _referral(rng, case, staff, at + timedelta(hours=rng.uniform(1, 72)), now)
    for _ in range(rng.choice([0, 1, 2, 2, 3])):
        _follow_up(rng, case, staff, created + timedelta(days=rng.uniform(0, 10)), now)


def _referral(rng, case, staff, sent_at: datetime, now: datetime) -> None:
    sent_at = min(sent_at, now - timedelta(hours=rng.uniform(1, 6)))
    if sent_at < case.created_at:
        return
    sender = staff[rng.choice([AgencyType.COMMITTEE, AgencyType.POLICE, AgencyType.SOCIAL])]
    if sender.agency_id not in (case.opening_agency_id, case.lead_agency_id) and \
            sender.agency.type != AgencyType.COMMITTEE:
        sender = staff[AgencyType.COMMITTEE]
    receiver_type = rng.choice([t for t in SERVICES if t != sender.agency.type])
    receiver = staff[receiver_type]
    ground = None
    if not covers(case, receiver_type):
        if rng.random() < 0.6:
            return  # no consent, no ground: the referral is not sent
        ground = rng.choice(list(LegalGround))
    priority = rng.choice([Priority.URGENT, Priority.HIGH, Priority.NORMAL, Priority.NORMAL])
    referral = send_referral(sender, case, receiver.agency_id, SERVICES[receiver_type],
                             priority, ground, now=sent_at)
    answer_at = sent_at + timedelta(hours=rng.lognormvariate(2.5, 1.0))
    # Recent referrals often still wait; a few old ones were forgotten (overdue).
    waiting = 0.5 if now - sent_at < timedelta(days=21) else 0.03
    if answer_at > now or rng.random() < waiting:
        return
    roll = rng.random()
    if roll < 0.08:
        move_referral(sender, referral, "cancel", referral.version,
                      "Пострадавшая переехала к родственникам", now=answer_at)
        return
    if roll < 0.2:
        move_referral(receiver, referral, "decline", referral.version,
                      rng.choice(DECLINE_REASONS), now=answer_at)
        return
    move_referral(receiver, referral, "accept", referral.version, now=answer_at)
    if rng.random() < 0.05:
        lead = staff[case.lead_agency.type]
        move_referral(lead, referral, "revoke", referral.version,
                      "Услугу оказывает другая организация", now=answer_at + timedelta(days=1))
        return
    started = answer_at + timedelta(days=rng.uniform(0.5, 5))
    if started > now or rng.random() < 0.15:
        return  # accepted, not started yet
    move_referral(receiver, referral, "start", referral.version, now=started)
    done = started + timedelta(days=rng.uniform(3, 40))
    if done < now and rng.random() < 0.85:
        move_referral(receiver, referral, "complete", referral.version,
                      rng.choice(OUTCOMES), now=done)


def _follow_up(rng, case, staff, created_at: datetime, now: datetime) -> None:
    if created_at > now:
        return
    author = staff[AgencyType.COMMITTEE]
    owner = staff[rng.choice([AgencyType.SOCIAL, AgencyType.POLICE, AgencyType.LSG,
                              AgencyType.HEALTH])]
    due = created_at.date() + timedelta(days=rng.randint(3, 30))
    action = rng.choice(ACTIONS)
    named = rng.random() < 0.5
    closed_at = datetime.combine(due, datetime.min.time()) + timedelta(
        days=rng.randint(-3, 6), hours=10)
    closes = closed_at < now and rng.random() < 0.8
    ground = demo_ground(case, owner.agency)
    if ground is False:
        return  # no consent for that agency and no ground: not given to it
    follow_up = add_follow_up(author, case, FollowUpData(
        action=action, owner_agency_id=owner.agency_id, due_on=due,
        owner_user_id=owner.id if named else None, legal_ground=ground), now=created_at)
    db.session.flush()
    if closes:
        close_follow_up(owner, follow_up, True, follow_up.version,
                        "Выполнено", now=max(closed_at, created_at))


def demo_ground(case, agency) -> LegalGround | None | bool:
    """The legal ground a demo user gives for involving ``agency``: none when
    consent (or the agency's standing) covers it, danger to life on a
    high-risk case, else False: the work is not given to that agency."""
    if is_covered(case, agency):
        return None
    return LegalGround.DANGER_TO_LIFE if case.risk_level == RiskLevel.HIGH else False


#: "Yes" answers that give each level with the default thresholds (10 and 14).
YES_COUNTS = {RiskLevel.STANDARD: (2, 9), RiskLevel.MEDIUM: (10, 13), RiskLevel.HIGH: (14, 20)}


def _assess(rng, case, assessor, target: RiskLevel, at: datetime) -> None:
    low, high = YES_COUNTS[target]
    raised = None
    if target != RiskLevel.STANDARD and rng.random() < 0.1:
        # Sometimes judgement, not the score, makes the level.
        raised, low, high = target, 4, 9
    yes = set(rng.sample(list(risk_questions()), rng.randint(low, high)))
    assess(assessor, case, yes, raised,
           "Угрозы усилились после обращения в милицию" if raised else None, now=at)


def _order(rng, case, police: User, issued_at: datetime, now: datetime) -> None:
    if not policy.can(police, policy.Action.ISSUE_TEMPORARY_ORDER, case):
        return  # the police are not involved in this case
    if issued_at > now:
        issued_at = now - timedelta(hours=rng.uniform(1, 30))
    if issued_at < case.created_at:
        return
    court = rng.random() < 0.06
    prohibitions = {"prohibits_violence"} | set(rng.sample(
        ["prohibits_contact", "prohibits_stalking", "prohibits_shared_home",
         "prohibits_weapons", "requires_programme"], k=rng.randint(0, 3)))
    order = record_order(police, case, OrderData(
        kind=OrderKind.COURT if court else OrderKind.TEMPORARY, issued_at=issued_at,
        months=rng.randint(1, 3) if court else None, prohibitions=prohibitions,
        electronic_monitoring=court and rng.random() < 0.5), now=issued_at)
    # Extensions to 30 days are rare (2019: 295 of 3,932 orders).
    extended_at = issued_at + timedelta(hours=30)
    if not court and rng.random() < 0.08 and extended_at < now:
        extend_order(police, order, order.version, now=extended_at)


def _repeat_incident(rng, case, recorder: User, now: datetime) -> None:
    first = case.incidents[0].occurred_on
    day = first + timedelta(days=rng.randint(20, 300))
    if day >= now.date():
        return
    record_incident(recorder, case, IncidentData(
        occurred_on=day, forms=[ViolenceForm.PHYSICAL, ViolenceForm.PSYCHOLOGICAL],
        place=IncidentPlace.SHARED_HOME, reported_by=Reporter.CALL_102_112),
        now=datetime.combine(day, datetime.min.time()) + timedelta(hours=20))


def _programme(rng, case, referrer: User, staff, at: datetime, now: datetime) -> None:
    if at > now:
        return
    provider = staff[rng.choice([AgencyType.SOCIAL, AgencyType.CRISIS_CENTRE])]
    # Referred before the consents are recorded: on a legal ground unless
    # the provider already holds the case (the demo's random stream is kept).
    ground = None if is_covered(case, provider.agency) else LegalGround.DANGER_TO_LIFE
    programme = refer_to_programme(referrer, case, provider.agency_id, now=at,
                                   legal_ground=ground)
    start = at.date() + timedelta(days=rng.randint(3, 20))
    if start >= now.date():
        return
    move_programme(provider, programme, "start", start, programme.version,
                   now=datetime.combine(start, datetime.min.time()))
    end = start + timedelta(days=rng.randint(20, 90))
    if end < now.date():
        step = "complete" if rng.random() < 0.7 else "drop_out"
        move_programme(provider, programme, step, end, programme.version,
                       now=datetime.combine(end, datetime.min.time()))


def add_district_extras(rng: random.Random, staff: dict[AgencyType, User],
                        cases: list[Case], now: datetime) -> None:
    """Per district: orders expiring within a day, and one violated order."""
    police = staff[AgencyType.POLICE]
    open_cases = [c for c in cases if c.status != CaseStatus.CLOSED
                  and policy.can(police, policy.Action.ISSUE_TEMPORARY_ORDER, c)]
    for case in rng.sample(open_cases, k=min(3, len(open_cases))):
        issued = now - timedelta(days=3) + timedelta(hours=rng.uniform(2, 20))
        if issued >= case.created_at:
            record_order(police, case, OrderData(kind=OrderKind.TEMPORARY, issued_at=issued),
                         now=issued)
    active = [o for c in open_cases for o in c.protection_orders
              if o.status(now) == OrderStatus.ACTIVE]
    if active:
        order = rng.choice(active)
        record_violation(staff[AgencyType.COMMITTEE], order,
                         max(order.issued_at, now - timedelta(hours=5)), now=now)
