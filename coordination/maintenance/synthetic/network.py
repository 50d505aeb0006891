"""The agencies and accounts of a national deployment, for the synthetic data.

Every district gets a prevention committee, police, social protection, local
self-government, a family medicine centre and an education office; every
region a crisis centre; the country the ministry (``ministry.analyst``) and
the administrator (``admin``). Usernames follow the demo's pattern:
``coordinator.sokuluk``, ``police.karasuu``, ``police2.karasuu`` ...
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

import sqlalchemy as sa

from coordination.accounts.models import Role
from coordination.agencies.models import AgencyType
from coordination.demo import names
from coordination.maintenance.synthetic import distributions as dist
from coordination.maintenance.synthetic.writer import BulkWriter
from coordination.territories.models import Territory, TerritoryLevel

AGENCY_COLUMNS = ("id", "code", "name", "type", "territory_id", "active")
USER_COLUMNS = ("id", "username", "full_name", "agency_id", "role", "language", "active",
                "password_hash", "failed_login_count", "locked_until", "last_login_at",
                "must_change_password", "session_epoch", "created_at")

#: Agency names in Russian, as agencies write them; {t} is the territory's name.
AGENCY_NAMES = {
    AgencyType.COMMITTEE: "Комитет по профилактике семейного насилия: {t}",
    AgencyType.POLICE: "ОВД, служба участковых инспекторов: {t}",
    AgencyType.SOCIAL: "Управление социального развития: {t}",
    AgencyType.LSG: "Органы местного самоуправления: {t}",
    AgencyType.HEALTH: "Центр семейной медицины: {t}",
    AgencyType.EDUCATION: "Отдел образования: {t}",
    AgencyType.CRISIS_CENTRE: "Кризисный центр: {t}",
}


@dataclass
class Office:
    """One agency and its staff (user ids; the head first among equals)."""

    agency_id: int
    type: AgencyType
    users: list[int]
    lead: int


@dataclass
class District:
    territory_id: int
    code: str
    slug: str
    weight: float
    uzbek_share: float
    #: Agency type -> the office serving the district (crisis centre: the region's).
    offices: dict[AgencyType, Office] = field(default_factory=dict)


@dataclass
class Network:
    ministry_id: int
    districts: list[District]
    usernames: list[str]


def slug(name: str) -> str:
    """``Kara-Suu`` -> ``karasuu``: the district part of a username."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _full_name(rng: random.Random) -> str:
    female = rng.random() < 0.6
    first = rng.choice(names.KYRGYZ_FEMALE if female else names.KYRGYZ_MALE)
    return f"{first} {names.surname(rng.choice(names.KYRGYZ_SURNAME_ROOTS), female)}"


class _Builder:
    def __init__(self, writer: BulkWriter, rng: random.Random, password_hash: str, now):
        self.writer, self.rng, self.password_hash, self.now = writer, rng, password_hash, now
        self.usernames: list[str] = []

    def agency(self, code: str, name: str, agency_type: AgencyType, territory_id: int) -> int:
        agency_id = self.writer.next_id("agencies")
        self.writer.add("agencies", (agency_id, code, name, agency_type.value, territory_id,
                                     True))
        return agency_id

    def user(self, username: str, agency_id: int, role: Role, full_name: str | None = None
             ) -> int:
        user_id = self.writer.next_id("users")
        self.writer.add("users", (
            user_id, username, full_name or _full_name(self.rng), agency_id, role.value, None,
            True, self.password_hash, 0, None, None, False, 0, self.now))
        self.usernames.append(username)
        return user_id

    def office(self, agency_type: AgencyType, territory, key: str) -> Office:
        """An agency serving ``territory`` (a row of territory columns) and its staff."""
        name = AGENCY_NAMES[agency_type].format(t=territory.name_ru)
        suffix = "OBL-CRISIS" if territory.level == TerritoryLevel.REGION else agency_type.name
        agency_id = self.agency(f"{key.upper()}-{suffix}", name, agency_type, territory.id)
        prefix, count = dist.STAFF[agency_type]
        users = []
        for number in range(1, count + 1):
            head = (number == 1) if agency_type == AgencyType.COMMITTEE else (number == 2)
            login = prefix if number == 1 else f"{prefix}{number}"
            users.append(self.user(f"{login}.{key}", agency_id,
                                   Role.LEAD if head else Role.MEMBER))
        lead = users[0] if agency_type == AgencyType.COMMITTEE else users[min(1, count - 1)]
        return Office(agency_id, agency_type, users, lead)


def build_network(writer: BulkWriter, rng: random.Random, password_hash: str, now) -> Network:
    """Add the agencies and accounts to ``writer``; the districts with their offices."""
    builder = _Builder(writer, rng, password_hash, now)
    # Read on the writer's connection: on SQLite a second connection's read
    # transaction would lock the writer out.
    connection = writer.connection
    columns = (Territory.id, Territory.code, Territory.level, Territory.parent_id,
               Territory.name_en, Territory.name_ru)
    country = connection.execute(sa.select(*columns).where(
        Territory.level == TerritoryLevel.COUNTRY)).one()
    ministry = builder.agency(
        "MLSSM-GENDER", "Министерство труда, социального обеспечения и миграции, "
        "отдел гендерной политики", AgencyType.MINISTRY, country.id)
    builder.user("ministry.analyst", ministry, Role.MEMBER, "Назгүл Орозбаева")
    builder.user("admin", ministry, Role.ADMIN, "System administrator")

    regions = connection.execute(sa.select(*columns).where(
        Territory.level == TerritoryLevel.REGION, Territory.active.is_(True))
        .order_by(Territory.code)).all()
    crisis = {region.id: builder.office(AgencyType.CRISIS_CENTRE, region, slug(region.name_en))
              for region in regions}
    territories = connection.execute(sa.select(*columns).where(
        Territory.level == TerritoryLevel.DISTRICT, Territory.active.is_(True),
        Territory.parent_id.in_(list(crisis))).order_by(Territory.code)).all()
    region_codes = {region.id: region.code for region in regions}
    slugs = [slug(t.name_en) for t in territories]
    districts = []
    for territory, key in zip(territories, slugs, strict=True):
        if slugs.count(key) > 1:  # two districts of one name: the code tells them apart
            key = f"{key}{territory.code}"
        region_code = region_codes[territory.parent_id]
        district = District(
            territory.id, territory.code, key,
            float(dist.POPULATION.get(territory.code, dist.DEFAULT_POPULATION)),
            dist.UZBEK_SHARE.get(region_code, dist.OTHER_UZBEK_SHARE))
        for agency_type in dist.DISTRICT_AGENCY_TYPES:
            district.offices[agency_type] = builder.office(agency_type, territory, key)
        district.offices[AgencyType.CRISIS_CENTRE] = crisis[territory.parent_id]
        districts.append(district)
    return Network(ministry, districts, builder.usernames)
