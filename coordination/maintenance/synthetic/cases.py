"""One synthetic case and everything on it, as rows for the bulk writer.

Enum values go into the rows as the members themselves: they are ``str``
subclasses holding the stored value, which both drivers take as text.

The rows obey the rules the services enforce, without going through them
(that would take hours for a million cases): a referral goes only with the
survivor's consent for the receiving agency type, recorded before it, or on
a legal ground; orders come from the police once they are involved; only
the lead agency's head closes a case, and closing it ends its open
referrals and follow-ups; every change is on the case's timeline, in order.
"""
from __future__ import annotations

import bisect
import math
import random
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from coordination.agencies.models import AgencyType
from coordination.cases.folding import name_key
from coordination.cases.models import (
    CaseStatus,
    PersonRole,
    Relationship,
    RiskLevel,
    Sex,
    TimelineKind,
    ViolenceForm,
)
from coordination.cases.references import ALPHABET, survivor_code
from coordination.consent.models import ConsentScope
from coordination.demo import names
from coordination.followups.models import FollowUpStatus
from coordination.maintenance.synthetic import distributions as dist
from coordination.maintenance.synthetic.network import District, Network, Office
from coordination.notifications.models import NotificationKind
from coordination.programmes.models import ProgrammeStatus
from coordination.protection.models import PROHIBITIONS, OrderKind
from coordination.referrals.models import LegalGround, Priority, ReferralStatus

K = TimelineKind
R = ReferralStatus

TABLES = {
    "cases": ("id", "reference", "district_id", "municipality_id", "opening_agency_id",
              "lead_agency_id", "status", "closure_reason", "risk_level", "is_repeat",
              "survivor_code", "created_by_id", "created_at", "updated_at", "version"),
    "people": ("id", "case_id", "role", "last_name", "first_name", "patronymic", "sex",
               "birth_year", "disability", "relationship_to_survivor", "phone", "address",
               "name_key"),
    "incidents": ("id", "case_id", "occurred_on", "place", "reported_by", "bride_kidnapping",
                  "forced_marriage", "early_marriage", "crime_register_number",
                  "info_log_number", "recorded_by_id", "recorded_at"),
    "incident_violence_forms": ("incident_id", "form"),
    "consent_records": ("id", "case_id", "scope", "agency_type", "recorded_at",
                        "recorded_by_id", "withdrawn_at", "withdrawn_by_id"),
    "risk_assessments": ("id", "case_id", "answers", "score", "scored_level", "level",
                         "raise_reason", "assessed_by_id", "assessed_at"),
    "referrals": ("id", "case_id", "from_agency_id", "to_agency_id", "service", "priority",
                  "status", "legal_ground", "sent_by_id", "sent_at", "respond_by",
                  "answered_at", "answered_by_id", "decline_reason", "outcome", "closed_at",
                  "version"),
    "follow_ups": ("id", "case_id", "action", "owner_agency_id", "owner_user_id", "due_on",
                   "status", "closing_note", "created_by_id", "created_at", "closed_by_id",
                   "closed_at", "meeting_id", "version"),
    "protection_orders": ("id", "case_id", "kind", "issuing_agency_id", "issued_at",
                          "valid_until", "extended_at", *PROHIBITIONS, "electronic_monitoring",
                          "revoked_at", "recorded_by_id", "recorded_at", "version"),
    "order_violations": ("id", "order_id", "occurred_at", "follow_up_id", "recorded_by_id",
                         "recorded_at"),
    "correctional_programmes": ("id", "case_id", "provider_agency_id", "status", "referred_at",
                                "referred_by_id", "started_on", "ended_on", "version"),
    "timeline_events": ("id", "case_id", "at", "kind", "user_id", "agency_id",
                        "related_agency_id"),
    "notifications": ("id", "agency_id", "kind", "case_id", "related_agency_id", "created_at",
                      "dedupe_key"),
}

#: Notifications are made for what happened in this window before now (older
#: ones would long have been read; the table would only grow).
NOTIFICATION_WINDOW = timedelta(days=60)
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
OPEN_REFERRAL = (R.SENT, R.ACCEPTED, R.IN_PROGRESS)


class FastRandom(random.Random):
    """``random.Random`` whose ``choice``, ``randint`` and ``sample`` draw from
    one ``random()`` call per value: the standard ones are several times
    slower, and the generator makes millions of such draws. Deterministic
    for a seed like its base (the values differ from the base's)."""

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def sample(self, population, k: int, *, counts=None) -> list:
        """``k`` distinct items of a short sequence (partial Fisher-Yates)."""
        if counts is not None or k > len(population):
            return super().sample(population, k, counts=counts)
        pool = list(population)
        n = len(pool)
        for i in range(k):
            j = i + int(self.random() * (n - i))
            pool[i], pool[j] = pool[j], pool[i]
        return pool[:k]


class Weighted:
    """A weighted choice drawn in O(log n) (``random.choices`` rebuilds its table)."""

    def __init__(self, pairs: Sequence[tuple]):
        self.values = [value for value, _weight in pairs]
        self.cumulative = []
        total = 0.0
        for _value, weight in pairs:
            total += weight
            self.cumulative.append(total)
        self.total = total

    def draw(self, rng: random.Random):
        return self.values[bisect.bisect(self.cumulative, rng.random() * self.total)]


def reference(index: int, year: int, key: int) -> str:
    """A reference such as ``DV-2026-7KQ3M9``, unique for each index below 2**30.

    The index goes through a keyed bijection of 30-bit numbers (odd
    multipliers and xor-shifts), so references look random, reveal nothing
    about the order of registration, and never collide.
    """
    mask = (1 << 30) - 1
    x = (index ^ key) & mask
    for multiplier in (0x2C1B3C6D, 0x297A2D39):
        x = (x * multiplier) & mask
        x ^= x >> 15
    x = (x + key) & mask
    return f"DV-{year}-" + "".join(ALPHABET[(x >> shift) & 31] for shift in (25, 20, 15, 10,
                                                                              5, 0))


class _Case:
    """What is known of one case while it is being generated."""

    __slots__ = ("id", "created", "district", "opening", "lead", "risk", "events", "consents",
                 "children", "last", "referrals", "follow_ups", "involved_police", "notices")

    def __init__(self, case_id: int, created: datetime, district: District, opening: Office,
                 lead: Office):
        self.id, self.created, self.district = case_id, created, district
        self.opening, self.lead = opening, lead
        self.risk: RiskLevel | None = None
        #: (at, kind, user id, agency id, related agency id)
        self.events: list[tuple] = []
        #: Sharing consent in force: agency type -> when it was recorded.
        self.consents: dict[AgencyType, datetime] = {}
        self.children = False
        self.last = created
        self.referrals: list[list] = []
        self.follow_ups: list[list] = []
        self.involved_police = AgencyType.POLICE in (opening.type, lead.type)
        #: (at, agency id, kind, related agency id)
        self.notices: list[tuple] = []

    def event(self, at: datetime, kind: TimelineKind, user: int, office: Office,
              related: int | None = None) -> None:
        self.events.append((at, kind, user, office.agency_id, related))
        if at > self.last:
            self.last = at


class CaseGenerator:
    """Emits cases into a :class:`BulkWriter`; deterministic for its ``rng``."""

    def __init__(self, writer, rng: FastRandom, network: Network, now: datetime,
                 settings: dict, questions: Sequence[str]):
        self.writer, self.rng, self.now = writer, rng, now
        self.districts = network.districts
        self.settings = settings
        self.questions = list(questions)
        self.reference_key = rng.getrandbits(30)
        self.start = now - timedelta(days=365.25 * dist.YEARS)
        self.span = (now - HOUR - self.start).total_seconds()
        self.opening = Weighted(dist.OPENING)
        self.lead = Weighted(dist.LEAD)
        self.relationships = Weighted(dist.RELATIONSHIPS)
        self.reporters = Weighted(dist.REPORTERS)
        self.places = Weighted(dist.PLACES)
        self.risks = Weighted(dist.RISKS)
        self.referral_counts = Weighted(dist.REFERRAL_COUNTS)
        self.receivers = Weighted(dist.RECEIVERS)
        self.follow_up_counts = Weighted(dist.FOLLOW_UP_COUNTS)
        self.owners = Weighted(dist.FOLLOW_UP_OWNERS)
        self.closure_reasons = Weighted(dist.CLOSURE_REASONS)
        self.open_statuses = Weighted(dist.OPEN_STATUSES)
        self.district_choice = Weighted([(d, d.weight) for d in self.districts])
        self.deadlines = {priority: timedelta(hours=settings[
            f"referral_deadline_hours_{priority.value}"]) for priority in Priority}
        self.notices_from = now - NOTIFICATION_WINDOW
        self.timeline = writer.buffers["timeline_events"]

    # --- the plan: when and where ----------------------------------------------------

    def creation_times(self, count: int) -> list[datetime]:
        """``count`` registration moments over the span, oldest first, with a
        rate that grows linearly by :data:`dist.GROWTH` (inverse of its CDF)."""
        g = dist.GROWTH - 1
        fractions = sorted(self.rng.random() for _ in range(count))
        moments = []
        for p in fractions:
            u = p if g == 0 else (math.sqrt(1 + 2 * g * p * (1 + g / 2)) - 1) / g
            moments.append(self.start + timedelta(seconds=u * self.span))
        return moments

    def district_plan(self, count: int) -> list[District]:
        """A district for each case by weight, every district at least once
        when there are enough cases."""
        plan = [self.district_choice.draw(self.rng) for _ in range(count)]
        if count >= len(self.districts):
            # The base class samples a large range without building it.
            positions = random.Random.sample(self.rng, range(count), len(self.districts))
            for district, position in zip(self.districts, positions, strict=True):
                plan[position] = district
        return plan

    # --- one case ------------------------------------------------------------------------

    def case(self, index: int, created: datetime, district: District) -> None:
        rng, offices = self.rng, district.offices
        case = _Case(self.writer.next_id("cases"), created, district,
                     offices[self.opening.draw(rng)], offices[self.lead.draw(rng)])
        creator = rng.choice(case.opening.users)
        case.event(created, K.CASE_REGISTERED, creator, case.opening)
        code, first_incident = self._people(case)
        repeat = self._incidents(case, creator, first_incident)
        self._consents(case)
        self._risk(case)
        for _ in range(self.referral_counts.draw(rng)):
            self._referral(case)
        for _ in range(self.follow_up_counts.draw(rng)):
            self._follow_up(case)
        self._order(case)
        if rng.random() < dist.PROGRAMME_RATE:
            self._programme(case)
        status, reason = self._status(case)
        self._emit_workflow(case)
        version = 1 + sum(1 for e in case.events if e[1] in (
            K.STATUS_CHANGED, K.CASE_CLOSED, K.RISK_ASSESSED))
        self.writer.add("cases", (
            case.id, reference(index, created.year, self.reference_key), district.territory_id,
            None, case.opening.agency_id, case.lead.agency_id, status,
            reason, case.risk, repeat,
            code, creator, created, case.last, version))
        self._emit_timeline(case)

    # --- people and incidents ----------------------------------------------------------

    def _person(self, case: _Case, role: PersonRole, female: bool, birth_year: int,
                first: str, last: str, relationship=None, phone=None, address=None,
                disability=False) -> None:
        self.writer.add("people", (
            self.writer.next_id("people"), case.id, role, last, first, None,
            Sex.FEMALE if female else Sex.MALE, birth_year, disability,
            relationship, phone, address, name_key(last, first, None)))

    def _people(self, case: _Case) -> tuple[str, tuple]:
        """Survivor, alleged perpetrator, children; the survivor code and what
        the first incident needs to know (age, sex, relationship)."""
        rng, share, year = self.rng, case.district.uzbek_share, case.created.year
        relationship = self.relationships.draw(rng)
        female = rng.random() < 0.95
        if relationship == Relationship.CHILD:  # an adult child abusing an older parent
            age = rng.randint(55, 82)
        elif relationship == Relationship.PARENT:  # a parent abusing a child
            age = rng.randint(9, 19)
        else:
            age = min(75, max(16, int(rng.gauss(33, 9))))
        first, last = names.random_name(self.rng, female, share)
        phone = f"+996 {rng.choice(('555', '700', '772', '550', '999'))} " \
                f"{rng.randint(100000, 999999)}"
        address = (f"ул. {rng.choice(names.STREETS)}, {rng.randint(1, 140)}"
                   if rng.random() < 0.85 else "Кризисный центр (убежище)")
        self._person(case, PersonRole.SURVIVOR, female, year - age, first, last,
                     phone=phone, address=address, disability=rng.random() < 0.04)
        perpetrator_female = (rng.random() < 0.7 if relationship == Relationship.PARENT_IN_LAW
                              else rng.random() < (0.05 if female else 0.6))
        perpetrator_age = {Relationship.CHILD: age - 28, Relationship.PARENT: age + 27,
                           Relationship.PARENT_IN_LAW: age + 26}.get(
            relationship, age + rng.randint(-2, 8))
        p_first, p_last = names.random_name(self.rng, perpetrator_female, share)
        self._person(case, PersonRole.ALLEGED_PERPETRATOR, perpetrator_female,
                     year - perpetrator_age, p_first, p_last, relationship=relationship)
        if age < 50 and rng.random() < 0.6:
            family = last if perpetrator_female else p_last
            for _ in range(rng.randint(1, 3)):
                child_age = rng.randint(0, min(17, max(0, age - 18)))
                witnessed = child_age >= 3 and rng.random() < 0.3
                child_female = rng.random() < 0.5
                child_first, _last = names.random_name(self.rng, child_female, share)
                self._person(case, PersonRole.SURVIVOR if witnessed else PersonRole.CHILD,
                             child_female, year - child_age, child_first,
                             names.surname_for(family, child_female))
                case.children = True
        return survivor_code(first, last, year - age), (age, female)

    def _incidents(self, case: _Case, recorder: int, survivor: tuple) -> bool:
        """The first incident, sometimes a repeat; whether the case is a repeat."""
        rng = self.rng
        age, female = survivor
        young = age < 21 and female
        police = case.opening.type == AgencyType.POLICE
        occurred = (case.created - timedelta(days=rng.randint(0, 3))).date()
        forms = [form for form, rate in dist.FORM_RATES.items() if rng.random() < rate]
        self._incident(case, occurred, forms or [ViolenceForm.PSYCHOLOGICAL],
                       self.places.draw(rng), self.reporters.draw(rng),
                       (young and rng.random() < 0.25) or rng.random() < 0.01,
                       young and rng.random() < 0.15,
                       age < 18 and female and rng.random() < 0.5,
                       f"{rng.randint(1, 9999):04d}-{case.created.year}"
                       if police and rng.random() < 0.4 else None,
                       f"ЖИ-{rng.randint(100, 9999)}" if police else None,
                       recorder, case.created)
        case.event(case.created, K.INCIDENT_RECORDED, recorder, case.opening)
        if rng.random() >= dist.REPEAT_RATE:
            return False
        day = occurred + timedelta(days=rng.randint(20, 300))
        recorded = datetime.combine(day, time(20))
        if recorded >= self.now:
            return False
        committee = case.district.offices[AgencyType.COMMITTEE]
        user = rng.choice(committee.users)
        self._incident(case, day, [ViolenceForm.PHYSICAL, ViolenceForm.PSYCHOLOGICAL],
                       "shared_home", "call_102_112", False, False, False, None, None,
                       user, recorded)
        case.event(recorded, K.INCIDENT_RECORDED, user, committee)
        return True

    def _incident(self, case, occurred: date, forms, place, reporter, kidnapping, forced,
                  early, register, log, recorder, at) -> None:
        incident_id = self.writer.next_id("incidents")
        self.writer.add("incidents", (incident_id, case.id, occurred, place, reporter,
                                      kidnapping, forced, early, register, log, recorder, at))
        for form in forms:
            self.writer.add("incident_violence_forms", (incident_id, form))

    # --- consent and risk ----------------------------------------------------------------

    def _consent(self, case: _Case, scope: ConsentScope, agency_type: AgencyType | None,
                 at: datetime, withdrawn: datetime | None = None) -> None:
        committee = case.district.offices[AgencyType.COMMITTEE]
        user = self.rng.choice(committee.users)
        self.writer.add("consent_records", (
            self.writer.next_id("consent_records"), case.id, scope,
            agency_type, at, user, withdrawn,
            user if withdrawn else None))
        case.event(at, K.CONSENT_RECORDED, user, committee)
        if withdrawn:
            case.event(withdrawn, K.CONSENT_WITHDRAWN, user, committee)
        if scope == ConsentScope.SHARING:
            case.consents[agency_type] = at

    def _consents(self, case: _Case) -> None:
        rng, at = self.rng, case.created + timedelta(minutes=20)
        if at >= self.now:
            return
        if rng.random() < 0.75:
            for agency_type in rng.sample(dist.CONSENT_TYPES, k=rng.randint(1, 4)):
                self._consent(case, ConsentScope.SHARING, agency_type, at)
        if rng.random() < 0.9:
            withdrawn = at + 2 * DAY if rng.random() < 0.04 else None
            self._consent(case, ConsentScope.STATISTICS, None, at,
                          withdrawn if withdrawn and withdrawn < self.now else None)

    def _risk(self, case: _Case) -> None:
        rng, target = self.rng, self.risks.draw(self.rng)
        at = case.created + timedelta(minutes=40)
        if target is None or at >= self.now:
            return
        low, high = dist.YES_COUNTS[target]
        raised = target != RiskLevel.STANDARD and rng.random() < 0.1
        if raised:  # judgement, not the score, makes the level
            low, high = 4, 9
        yes = set(rng.sample(self.questions, rng.randint(low, high)))
        score = len(yes)
        scored = (RiskLevel.HIGH if score >= self.settings["risk_high_threshold"]
                  else RiskLevel.MEDIUM if score >= self.settings["risk_medium_threshold"]
                  else RiskLevel.STANDARD)
        level = target if raised and target != scored else scored
        committee = case.district.offices[AgencyType.COMMITTEE]
        user = rng.choice(committee.users)
        self.writer.add("risk_assessments", (
            self.writer.next_id("risk_assessments"), case.id,
            {key: key in yes for key in self.questions}, score, scored, level,
            dist.RAISE_REASON if level != scored else None, user, at))
        case.risk = level
        case.event(at, K.RISK_ASSESSED, user, committee)

    # --- referrals -----------------------------------------------------------------------

    def _referral(self, case: _Case) -> None:
        rng, offices = self.rng, case.district.offices
        # Each referral after the one before (the consent rule depends on the order).
        previous = case.referrals[-1][9] if case.referrals else case.created
        sent = previous + timedelta(hours=rng.uniform(1, 72)) + \
            timedelta(days=rng.expovariate(1 / 6) if case.referrals else 0)
        if sent >= self.now - HOUR:
            return
        sender = offices[rng.choice((AgencyType.COMMITTEE, AgencyType.POLICE,
                                     AgencyType.SOCIAL))]
        if sender is not case.opening and sender is not case.lead:
            sender = offices[AgencyType.COMMITTEE]
        receiver_type = self.receivers.draw(rng)
        while receiver_type == sender.type:
            receiver_type = self.receivers.draw(rng)
        receiver = offices[receiver_type]
        ground = None
        if receiver_type not in case.consents:
            if rng.random() < dist.LEGAL_GROUND_SHARE:
                ground = (LegalGround.CHILD_AT_RISK if case.children and rng.random() < 0.5
                          else LegalGround.DANGER_TO_LIFE)
            else:  # the survivor agrees to this agency when the referral is discussed
                self._consent(case, ConsentScope.SHARING, receiver_type,
                              sent - timedelta(minutes=10))
        priority = (Priority.URGENT if case.risk == RiskLevel.HIGH
                    else rng.choice((Priority.URGENT, Priority.HIGH, Priority.NORMAL,
                                     Priority.NORMAL)))
        sender_user = rng.choice(sender.users)
        row = [self.writer.next_id("referrals"), case.id, sender.agency_id, receiver.agency_id,
               dist.SERVICES[receiver_type], priority, R.SENT, ground, sender_user, sent,
               sent + self.deadlines[priority], None, None, None, None, None, 1]
        case.referrals.append(row)
        case.event(sent, K.REFERRAL_SENT, sender_user, sender, receiver.agency_id)
        self._notice(case, sent, receiver.agency_id, NotificationKind.REFERRAL_RECEIVED,
                     sender.agency_id)
        if receiver_type == AgencyType.POLICE:
            case.involved_police = True
        self._answer(case, row, sender, receiver)

    def _step(self, case: _Case, row: list, status: ReferralStatus, at: datetime, user: int,
              office: Office, kind: TimelineKind) -> None:
        row[6] = status
        row[16] += 1
        if status in (R.DECLINED, R.COMPLETED, R.CANCELLED, R.REVOKED):
            row[15] = at
        case.event(at, kind, user, office, row[3])

    def _answer(self, case: _Case, row: list, sender: Office, receiver: Office) -> None:
        """The referral's course after sending, as far as it got by now."""
        rng, sent, now = self.rng, row[9], self.now
        answered = sent + timedelta(hours=rng.lognormvariate(2.5, 1.0))
        # Recent referrals often still wait; a few old ones were forgotten (overdue).
        waiting = 0.5 if now - sent < timedelta(days=21) else 0.02
        if answered >= now or rng.random() < waiting:
            return
        roll = rng.random()
        if roll < 0.08:
            self._step(case, row, R.CANCELLED, answered, rng.choice(sender.users), sender,
                       K.REFERRAL_CANCELLED)
            return
        answerer = rng.choice(receiver.users)
        row[11], row[12] = answered, answerer
        self._notice(case, answered, sender.agency_id, NotificationKind.REFERRAL_ANSWERED,
                     receiver.agency_id)
        if roll < 0.2:
            row[13] = rng.choice(dist.DECLINE_REASONS)
            self._step(case, row, R.DECLINED, answered, answerer, receiver,
                       K.REFERRAL_DECLINED)
            return
        self._step(case, row, R.ACCEPTED, answered, answerer, receiver, K.REFERRAL_ACCEPTED)
        if rng.random() < 0.05 and answered + DAY < now:
            self._step(case, row, R.REVOKED, answered + DAY, case.lead.lead, case.lead,
                       K.REFERRAL_REVOKED)
            return
        started = answered + timedelta(days=rng.uniform(0.5, 5))
        if started >= now or rng.random() < 0.15:
            return  # accepted, not started yet
        self._step(case, row, R.IN_PROGRESS, started, answerer, receiver, K.REFERRAL_STARTED)
        done = started + timedelta(days=rng.uniform(3, 40))
        if done < now and rng.random() < 0.85:
            row[14] = rng.choice(dist.OUTCOMES)
            self._step(case, row, R.COMPLETED, done, answerer, receiver, K.REFERRAL_COMPLETED)

    # --- follow-ups, orders, programmes ---------------------------------------------

    def _follow_up(self, case: _Case, created: datetime | None = None,
                   owner: Office | None = None, action: str | None = None,
                   author: tuple[int, Office] | None = None, due: date | None = None
                   ) -> list | None:
        rng = self.rng
        created = created or case.created + timedelta(days=rng.uniform(0, 10))
        if created >= self.now:
            return None
        offices = case.district.offices
        if author is None:
            committee = offices[AgencyType.COMMITTEE]
            author = (rng.choice(committee.users), committee)
        owner = owner or offices[self.owners.draw(rng)]
        due = due or created.date() + timedelta(days=rng.randint(3, 30))
        owner_user = rng.choice(owner.users) if rng.random() < 0.5 else None
        row = [self.writer.next_id("follow_ups"), case.id, action or rng.choice(dist.ACTIONS),
               owner.agency_id, owner_user, due, FollowUpStatus.OPEN, None, author[0],
               created, None, None, None, 1]
        case.follow_ups.append(row)
        case.event(created, K.FOLLOW_UP_ADDED, author[0], author[1], owner.agency_id)
        if owner.agency_id != author[1].agency_id:
            self._notice(case, created, owner.agency_id, NotificationKind.FOLLOW_UP_ASSIGNED,
                         author[1].agency_id)
        if owner.type == AgencyType.POLICE:
            case.involved_police = True
        closed = max(datetime.combine(due, time(10)) + timedelta(days=rng.randint(-3, 6)),
                     created + HOUR)
        if closed < self.now and rng.random() < 0.8:
            closer = owner_user or rng.choice(owner.users)
            row[6:8] = [FollowUpStatus.DONE, dist.DONE_NOTE]
            row[10:12] = [closer, closed]
            row[13] = 2
            case.event(closed, K.FOLLOW_UP_DONE, closer, owner, owner.agency_id)
        return row

    def _order(self, case: _Case) -> None:
        rng, now = self.rng, self.now
        fraction = (case.created - self.start).total_seconds() / self.span
        rate = dist.ORDER_RATE_FIRST_YEAR + fraction * (
            dist.ORDER_RATE_LAST_YEAR - dist.ORDER_RATE_FIRST_YEAR)
        if not case.involved_police or rng.random() >= rate:
            return
        issued = case.created + timedelta(hours=rng.uniform(1, 20))
        if issued >= now:
            return
        police = case.district.offices[AgencyType.POLICE]
        user = rng.choice(police.users)
        court = issued.year >= dist.COURT_ORDER_SINCE and rng.random() < dist.COURT_ORDER_RATE
        if court:
            valid_until = issued + timedelta(days=30 * rng.randint(1, 3))
        else:
            valid_until = issued + timedelta(days=self.settings["temporary_order_days"])
        extended = None
        version = 1
        case.event(issued, K.ORDER_ISSUED, user, police)
        extended_at = issued + timedelta(hours=30)
        if not court and rng.random() < dist.EXTENSION_RATE and extended_at < now:
            extended = extended_at
            valid_until = issued + timedelta(days=self.settings["extended_temporary_order_days"])
            version += 1
            case.event(extended, K.ORDER_EXTENDED, user, police)
        revoked = None
        if rng.random() < dist.REVOCATION_RATE:
            moment = issued + (valid_until - issued) * rng.uniform(0.2, 0.9)
            if moment < now:
                revoked, version = moment, version + 1
                case.event(revoked, K.ORDER_REVOKED, user, police)
        chosen = {"prohibits_violence"} | set(rng.sample(PROHIBITIONS[1:], k=rng.randint(0, 3)))
        order_id = self.writer.next_id("protection_orders")
        self.writer.add("protection_orders", (
            order_id, case.id, OrderKind.COURT if court else OrderKind.TEMPORARY,
            police.agency_id, issued, valid_until, extended,
            *(name in chosen for name in PROHIBITIONS), court and rng.random() < 0.5,
            revoked, user, issued, version))
        if rng.random() < dist.VIOLATION_RATE:
            self._violation(case, order_id, issued, min(valid_until, revoked or valid_until),
                            police)

    def _violation(self, case: _Case, order_id: int, issued: datetime, end: datetime,
                   police: Office) -> None:
        rng = self.rng
        occurred = issued + (end - issued) * rng.random()
        recorded = occurred + timedelta(hours=rng.uniform(1, 12))
        if recorded >= self.now:
            return
        committee = case.district.offices[AgencyType.COMMITTEE]
        recorder = rng.choice(committee.users)
        follow_up = self._follow_up(case, recorded, police, dist.VIOLATION_ACTION,
                                    (recorder, committee), recorded.date())
        self.writer.add("order_violations", (self.writer.next_id("order_violations"), order_id,
                                             occurred, follow_up[0], recorder, recorded))
        case.event(recorded, K.ORDER_VIOLATED, recorder, committee, police.agency_id)
        self._notice(case, recorded, police.agency_id, NotificationKind.ORDER_VIOLATED,
                     committee.agency_id)

    def _programme(self, case: _Case) -> None:
        rng, now = self.rng, self.now
        referred = case.created + timedelta(days=rng.uniform(2, 20))
        if referred >= now:
            return
        offices = case.district.offices
        provider = offices[rng.choice((AgencyType.SOCIAL, AgencyType.CRISIS_CENTRE))]
        committee = offices[AgencyType.COMMITTEE]
        referrer = rng.choice(committee.users)
        case.event(referred, K.PROGRAMME_REFERRED, referrer, committee, provider.agency_id)
        status, started, ended, version = ProgrammeStatus.REFERRED, None, None, 1
        start = referred.date() + timedelta(days=rng.randint(3, 20))
        if start < now.date():
            status, started, version = ProgrammeStatus.STARTED, start, 2
            case.event(datetime.combine(start, time(9)), K.PROGRAMME_STARTED,
                       rng.choice(provider.users), provider)
            end = start + timedelta(days=rng.randint(20, 90))
            if end < now.date():
                completed = rng.random() < 0.7
                status = ProgrammeStatus.COMPLETED if completed else ProgrammeStatus.DROPPED_OUT
                ended, version = end, 3
                case.event(datetime.combine(end, time(9)),
                           K.PROGRAMME_COMPLETED if completed else K.PROGRAMME_DROPPED_OUT,
                           rng.choice(provider.users), provider)
        self.writer.add("correctional_programmes", (
            self.writer.next_id("correctional_programmes"), case.id, provider.agency_id,
            status, referred, referrer, started, ended, version))

    # --- status, closure, and the rows collected on the way -----------------------

    def _status(self, case: _Case):
        """The case's status by its age; closing ends its open work."""
        rng, now, lead = self.rng, self.now, case.lead
        months = (now - case.created).days / 30.4
        if months < 1:
            status = CaseStatus.OPEN if rng.random() < 0.6 else CaseStatus.ACTIVE
        elif rng.random() < min(dist.MAX_CLOSED_SHARE, months / 14):
            status = CaseStatus.CLOSED
        else:
            status = self.open_statuses.draw(rng)
        closed = None
        if status == CaseStatus.CLOSED:
            closed = max(case.last + timedelta(days=rng.uniform(1, 30)),
                         case.created + timedelta(days=rng.uniform(30, 200)))
            if closed >= now - HOUR:
                status, closed = CaseStatus.MONITORING, None
        if status == CaseStatus.OPEN:
            return status, None
        horizon = closed or now
        active = case.created + (horizon - case.created) * rng.uniform(0.005, 0.1)
        case.event(active, K.STATUS_CHANGED, rng.choice(lead.users), lead)
        if status in (CaseStatus.MONITORING, CaseStatus.CLOSED):
            case.event(active + (horizon - active) * rng.uniform(0.3, 0.9), K.STATUS_CHANGED,
                       rng.choice(lead.users), lead)
        if closed is None:
            return status, None
        self._close_open_work(case, closed)
        case.event(closed, K.CASE_CLOSED, lead.lead, lead)
        return status, self.closure_reasons.draw(rng)

    def _close_open_work(self, case: _Case, closed: datetime) -> None:
        offices = {office.agency_id: office for office in case.district.offices.values()}
        for row in case.referrals:
            if row[6] == R.SENT:
                self._step(case, row, R.CANCELLED, closed, row[8], offices[row[2]],
                           K.REFERRAL_CANCELLED)
            elif row[6] in (R.ACCEPTED, R.IN_PROGRESS):
                receiver = offices[row[3]]
                row[14] = dist.CLOSED_WITH_CASE
                self._step(case, row, R.COMPLETED, closed, receiver.lead, receiver,
                           K.REFERRAL_COMPLETED)
        for row in case.follow_ups:
            if row[6] == FollowUpStatus.OPEN:
                row[6:8] = [FollowUpStatus.CANCELLED, dist.CLOSED_WITH_CASE]
                row[10:12] = [case.lead.lead, closed]
                row[13] = 2
                case.event(closed, K.FOLLOW_UP_CANCELLED, case.lead.lead, case.lead, row[3])

    def _notice(self, case: _Case, at: datetime, agency_id: int, kind: NotificationKind,
                related: int) -> None:
        if at >= self.notices_from:
            case.notices.append((at, agency_id, kind, related))

    def _emit_workflow(self, case: _Case) -> None:
        for row in case.referrals:
            self.writer.add("referrals", tuple(row))
        for row in case.follow_ups:
            self.writer.add("follow_ups", tuple(row))
        for at, agency_id, kind, related in case.notices:
            self.writer.add("notifications", (self.writer.next_id("notifications"), agency_id,
                                              kind, case.id, related, at, None))

    def _emit_timeline(self, case: _Case) -> None:
        # The case page shows the timeline by id: ids in the order of time.
        events = sorted(case.events, key=_at)
        next_id = self.writer.reserve("timeline_events", len(events))
        rows = self.timeline
        for at, kind, user, agency, related in events:
            rows.append((next_id, case.id, at, kind, user, agency, related))
            next_id += 1


def _at(event: tuple) -> datetime:
    return event[0]
