"""The demo districts, their agencies, staff and cases.

Deterministic for a given seed and day: the cases spread over the 18 months
before the day the data is loaded, so the demo always looks current.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import force_locale

from coordination.accounts.models import Role, User
from coordination.accounts.services import create_user
from coordination.agencies.models import Agency, AgencyType
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.cases import services as case_services
from coordination.cases.models import (
    Case,
    CaseStatus,
    ClosureReason,
    IncidentPlace,
    PersonRole,
    Relationship,
    Reporter,
    RiskLevel,
    Sex,
    ViolenceForm,
)
from coordination.demo import names
from coordination.demo.meetings import add_meetings
from coordination.demo.population import add_population
from coordination.demo.workflow import add_district_extras, add_workflow
from coordination.extensions import db
from coordination.models_base import utcnow
from coordination.order_checks.demo import add_order_checks
from coordination.territories.models import Territory, TerritoryLevel
from coordination.territories.services import load_territories, territory_by_code

# Published demo accounts (README, `flask demo-accounts`), never real ones.
DEMO_PASSWORD = "demo-password-1"  # nosec B105
CASES_PER_DISTRICT = 66
MONTHS = 18


@dataclass(frozen=True)
class DemoDistrict:
    key: str  #: used in usernames and agency codes
    code: str  #: classifier code of the district
    #: Municipalities (ayil aimaks and towns): (en, ru, ky).
    municipalities: tuple[tuple[str, str, str], ...]
    #: Share of Uzbek names among the people (Kara-Suu borders Uzbekistan).
    uzbek_share: float
    #: The district's name in the Russian genitive, for agency names.
    genitive: str
    #: The local self-government body the demo uses.
    lsg_name: str
    #: The district court (it reads order status; no case work).
    court_name: str


DISTRICTS = (
    DemoDistrict(
        "sokuluk", "41708222",
        (
            ("Sokuluk", "Сокулукский айыльный аймак", "Сокулук айыл аймагы"),
            ("Novopavlovka", "Новопавловский айыльный аймак", "Новопавловка айыл аймагы"),
            ("Kun-Tuu", "Кун-Тууский айыльный аймак", "Күн-Туу айыл аймагы"),
            ("Shopokov", "город Шопоков", "Шопоков шаары"),
        ),
        0.0,
        "Сокулукского района",
        "Айыл окмоту Сокулукского айыльного аймака",
        "Сокулукский районный суд Чуйской области",
    ),
    DemoDistrict(
        "karasuu", "41706226",
        (
            ("Kara-Suu", "город Кара-Суу", "Кара-Суу шаары"),
            ("Nariman", "Нариманский айыльный аймак", "Нариман айыл аймагы"),
            ("Papan", "Папанский айыльный аймак", "Папан айыл аймагы"),
            ("Kashgar-Kyshtak", "Кашгар-Кыштакский айыльный аймак",
             "Кашкар-Кыштак айыл аймагы"),
        ),
        0.35,
        "Кара-Сууского района",
        "Мэрия города Кара-Суу",
        "Карасуйский районный суд Ошской области",
    ),
)

#: (agency type, Russian name pattern, login prefix, role); {g} is the genitive.
AGENCIES = (
    (AgencyType.COMMITTEE, "Комитет по профилактике семейного насилия {g}", "coordinator",
     Role.LEAD),
    (AgencyType.POLICE, "ОВД {g}, служба участковых инспекторов", "police", Role.MEMBER),
    (AgencyType.SOCIAL, "Управление социального развития {g}", "social", Role.MEMBER),
    (AgencyType.LSG, "{lsg}", "lsg", Role.MEMBER),
    (AgencyType.HEALTH, "Центр семейной медицины {g}", "health", Role.MEMBER),
    (AgencyType.CRISIS_CENTRE, "Кризисный центр {g}", "crisis", Role.MEMBER),
)

STAFF_NAMES = {
    "coordinator": ("Айнура Сатыбалдиева", "Гулнора Юсупова"),
    "police": ("Бакыт Осмонов", "Улугбек Рахимов"),
    "social": ("Жылдыз Токтогулова", "Мунира Каримова"),
    "lsg": ("Эрмек Жумабаев", "Азамат Мамытов"),
    "health": ("Елена Кузнецова", "Нигора Турсунова"),
    "crisis": ("Чолпон Асанова", "Шахноза Холматова"),
    "court": ("Асель Бейшеналиева", "Дилноза Абдуллаева"),
}

#: Weighted choices: (value, weight).
OPENING = [(AgencyType.POLICE, 40), (AgencyType.COMMITTEE, 20), (AgencyType.SOCIAL, 15),
           (AgencyType.LSG, 10), (AgencyType.HEALTH, 8), (AgencyType.CRISIS_CENTRE, 7)]
LEAD = [(AgencyType.SOCIAL, 35), (AgencyType.COMMITTEE, 30), (AgencyType.POLICE, 25),
        (AgencyType.CRISIS_CENTRE, 10)]
RELATIONSHIPS = [(Relationship.SPOUSE, 58), (Relationship.FORMER_SPOUSE, 8),
                 (Relationship.DE_FACTO_PARTNER, 7), (Relationship.CHILD, 7),
                 (Relationship.PARENT, 6), (Relationship.PARENT_IN_LAW, 6),
                 (Relationship.OTHER_RELATIVE, 6), (Relationship.CARER, 1),
                 (Relationship.OTHER, 1)]
FORM_RATES = {ViolenceForm.PSYCHOLOGICAL: 0.70, ViolenceForm.PHYSICAL: 0.55,
              ViolenceForm.ECONOMIC: 0.25, ViolenceForm.THREAT: 0.20,
              ViolenceForm.SEXUAL: 0.05, ViolenceForm.NEGLECT: 0.04}
REPORTERS = [(Reporter.SURVIVOR, 50), (Reporter.CALL_102_112, 15), (Reporter.RELATIVE, 12),
             (Reporter.NEIGHBOUR, 6), (Reporter.POLICE_PATROL, 5), (Reporter.HEALTH_WORKER, 4),
             (Reporter.HOTLINE_117, 3), (Reporter.SCHOOL, 3), (Reporter.OTHER, 2)]
PLACES = [(IncidentPlace.SHARED_HOME, 75), (IncidentPlace.SURVIVOR_HOME, 8),
          (IncidentPlace.RELATIVES_HOME, 8), (IncidentPlace.PUBLIC_PLACE, 6),
          (IncidentPlace.WORKPLACE, 1), (IncidentPlace.OTHER, 2)]
RISKS = [(RiskLevel.STANDARD, 48), (RiskLevel.MEDIUM, 30), (RiskLevel.HIGH, 15), (None, 7)]


def demo_usernames() -> list[str]:
    """Every account the demo set creates."""
    local = [f"{login}.{d.key}" for d in DISTRICTS for _type, _name, login, _role in AGENCIES]
    courts = [f"court.{d.key}" for d in DISTRICTS]
    return ["ministry.analyst", "admin", *local, *courts]


def pick(rng: random.Random, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def database_is_empty() -> bool:
    """True when no agency exists yet (territories alone do not count)."""
    return db.session.scalar(sa.select(sa.func.count(Agency.id))) == 0


@dataclass
class DemoSummary:
    agencies: int
    users: list[User]
    cases: int


def load_demo(seed: int, now: datetime | None = None) -> DemoSummary:
    """Load the demo set into an empty database; the caller commits."""
    # The demo's staff write in Russian (its free texts are Russian), so the
    # texts the system writes for them, such as the follow-up a breach of an
    # order gives the police, are Russian too, not the CLI's English.
    with force_locale("ru"):
        return _load_demo(seed, now)


def _load_demo(seed: int, now: datetime | None) -> DemoSummary:
    if not database_is_empty():
        raise RuntimeError("the database already has agencies; demo data goes in an empty one")
    # Made-up demo data, reproducible from the seed; nothing secret is drawn.
    rng = random.Random(seed)  # nosec B311
    now = now or utcnow()
    load_territories()
    country = territory_by_code("417")
    ministry = Agency(code="MLSSM-GENDER", type=AgencyType.MINISTRY, territory=country,
                      name="Министерство труда, социального обеспечения и миграции, "
                           "отдел гендерной политики")
    db.session.add(ministry)
    users = [
        create_user("ministry.analyst", "Назгүл Орозбаева", ministry, Role.MEMBER, DEMO_PASSWORD),
        create_user("admin", "System administrator", ministry, Role.ADMIN, DEMO_PASSWORD),
    ]
    agency_count = 1
    cases = 0
    district_staff = []
    for index, district_spec in enumerate(DISTRICTS):
        district = territory_by_code(district_spec.code)
        municipalities = _municipalities(district, district_spec)
        staff = {}
        for agency_type, pattern, login, role in AGENCIES:
            agency = Agency(
                code=f"{district_spec.key.upper()}-{agency_type.value.upper()}",
                type=agency_type,
                territory=district,
                name=pattern.format(g=district_spec.genitive, lsg=district_spec.lsg_name),
            )
            db.session.add(agency)
            agency_count += 1
            user = create_user(f"{login}.{district_spec.key}", STAFF_NAMES[login][index],
                               agency, role, DEMO_PASSWORD)
            users.append(user)
            staff[agency_type] = user
        district_staff.append(staff)
        district_cases = [
            _demo_case(rng, now, district, municipalities, staff, district_spec.uzbek_share)
            for _ in range(CASES_PER_DISTRICT)
        ]
        add_district_extras(rng, staff, district_cases, now)
        cases += len(district_cases)
    # After every case, so that the cases themselves stay as they were.
    for staff in district_staff:
        add_meetings(rng, staff, now)
    # Checks of the orders (issue 19), after everything else with their own
    # random numbers, so that the rest of the demo stays as it was.
    add_order_checks(seed, district_staff, now)
    # The denominators of the statistics' rates, marked as demo figures.
    add_population(now, MONTHS)
    # Last, drawing no random number: the rest of the demo stays as it was.
    for index, district_spec in enumerate(DISTRICTS):
        users.append(_add_court(district_spec, index))
        agency_count += 1
    record(AuditAction.DEMO_DATA_LOADED)
    db.session.flush()
    return DemoSummary(agency_count, users, cases)


def _add_court(spec: DemoDistrict, index: int) -> User:
    """The district court and its clerk: a court works on no case; its
    system reads the status of the district's protection orders (API)."""
    court = Agency(code=f"{spec.key.upper()}-{AgencyType.COURT.value.upper()}",
                   type=AgencyType.COURT, territory=territory_by_code(spec.code),
                   name=spec.court_name)
    db.session.add(court)
    return create_user(f"court.{spec.key}", STAFF_NAMES["court"][index], court, Role.MEMBER,
                       DEMO_PASSWORD)


def _municipalities(district: Territory, spec: DemoDistrict) -> list[Territory]:
    found = []
    for number, (en, ru, ky) in enumerate(spec.municipalities, start=1):
        municipality = Territory(code=f"{district.code}{number:03d}",
                                 level=TerritoryLevel.MUNICIPALITY, parent=district,
                                 name_en=en, name_ru=ru, name_ky=ky)
        db.session.add(municipality)
        found.append(municipality)
    db.session.flush()
    return found


def _person(rng, role, female, birth_year, uzbek_share, **extra) -> case_services.PersonData:
    first, last = names.random_name(rng, female, uzbek_share)
    return case_services.PersonData(
        role=role, first_name=first, last_name=last,
        sex=Sex.FEMALE if female else Sex.MALE, birth_year=birth_year, **extra,
    )


def _demo_case(rng, now, district, municipalities, staff, uzbek_share) -> Case:
    created = now - timedelta(days=rng.uniform(0, MONTHS * 30.4), hours=rng.uniform(0, 10))
    year = created.year
    relationship = pick(rng, RELATIONSHIPS)
    survivor_female = rng.random() < 0.94
    if relationship == Relationship.CHILD:  # an adult child abusing an older parent
        survivor_age = rng.randint(55, 82)
    elif relationship == Relationship.PARENT:  # a parent abusing a child
        survivor_age = rng.randint(9, 19)
    else:
        survivor_age = min(75, max(16, int(rng.gauss(33, 9))))
    municipality = rng.choice(municipalities)
    survivor = _person(
        rng, PersonRole.SURVIVOR, survivor_female, year - survivor_age, uzbek_share,
        disability=rng.random() < 0.04,
        phone=f"+996 {rng.choice(['555', '700', '772', '550', '999'])} "
              f"{rng.randint(100000, 999999)}",
        address=f"{municipality.name_ru}, ул. {rng.choice(names.STREETS)}, {rng.randint(1, 140)}"
        if rng.random() < 0.85 else "Кризисный центр (убежище)",
    )
    perpetrator_female = (
        rng.random() < 0.7 if relationship == Relationship.PARENT_IN_LAW
        else rng.random() < 0.05 if survivor_female else rng.random() < 0.6
    )
    perpetrator_age = {Relationship.CHILD: survivor_age - 28, Relationship.PARENT:
                       survivor_age + 27, Relationship.PARENT_IN_LAW: survivor_age + 26}.get(
        relationship, survivor_age + rng.randint(-2, 8))
    perpetrator = _person(
        rng, PersonRole.ALLEGED_PERPETRATOR, perpetrator_female, year - perpetrator_age,
        uzbek_share, relationship_to_survivor=relationship,
    )
    children = []
    if survivor_age < 50 and rng.random() < 0.6:
        for _ in range(rng.randint(1, 3)):
            child_age = rng.randint(0, min(17, max(0, survivor_age - 18)))
            witnessed = child_age >= 3 and rng.random() < 0.3
            female = rng.random() < 0.5
            child = _person(rng, PersonRole.SURVIVOR if witnessed else PersonRole.CHILD,
                            female, year - child_age, uzbek_share)
            # Children carry the father's surname, or the mother's if he is not on the case.
            family = (survivor if perpetrator_female else perpetrator).last_name
            child.last_name = names.surname_for(family, female)
            children.append(child)
    forms = [form for form, rate in FORM_RATES.items() if rng.random() < rate]
    if not forms:
        forms = [ViolenceForm.PSYCHOLOGICAL]
    young = survivor_age < 21 and survivor_female
    opening = staff[pick(rng, OPENING)]
    lead = staff[pick(rng, LEAD)]
    incident = case_services.IncidentData(
        occurred_on=(created - timedelta(days=rng.randint(0, 3))).date(),
        forms=forms,
        place=pick(rng, PLACES),
        reported_by=pick(rng, REPORTERS),
        bride_kidnapping=young and rng.random() < 0.25 or rng.random() < 0.01,
        forced_marriage=young and rng.random() < 0.15,
        early_marriage=survivor_age < 18 and survivor_female and rng.random() < 0.5,
        crime_register_number=(f"{rng.randint(1, 9999):04d}-{year}"
                               if opening.agency.type == AgencyType.POLICE
                               and rng.random() < 0.4 else None),
        info_log_number=(f"ЖИ-{rng.randint(100, 9999)}"
                         if opening.agency.type == AgencyType.POLICE else None),
    )
    case = case_services.register_case(
        opening,
        case_services.CaseIntake(
            district_id=district.id, municipality_id=municipality.id,
            lead_agency_id=lead.agency_id, survivor=survivor, perpetrator=perpetrator,
            children=children, incident=incident,
        ),
        now=created,
        reference_rng=rng,
    )
    add_workflow(rng, case, staff, now, pick(rng, RISKS))
    case.status = _status(rng, now - created)
    if case.status == CaseStatus.CLOSED:
        case.closure_reason = pick(rng, [(ClosureReason.SAFETY_PLAN_ACHIEVED, 50),
                                         (ClosureReason.NO_FURTHER_CONTACT, 20),
                                         (ClosureReason.SURVIVOR_DECLINED_SUPPORT, 15),
                                         (ClosureReason.MOVED_AWAY, 10),
                                         (ClosureReason.TRANSFERRED, 5)])
    return case


def _status(rng: random.Random, age: timedelta) -> CaseStatus:
    """Older cases are more often closed, recent ones open or active."""
    months = age.days / 30.4
    if months < 1:
        return pick(rng, [(CaseStatus.OPEN, 60), (CaseStatus.ACTIVE, 40)])
    closed = min(0.85, months / 14)
    return pick(rng, [(CaseStatus.CLOSED, closed * 100),
                      (CaseStatus.MONITORING, (1 - closed) * 35),
                      (CaseStatus.ACTIVE, (1 - closed) * 50),
                      (CaseStatus.OPEN, (1 - closed) * 15)])
