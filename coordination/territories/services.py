"""The territorial classifier shipped with the package, and the reference data
administrators maintain: names in three languages, municipalities."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources

import sqlalchemy as sa
import sqlalchemy.orm
from flask_babel import lazy_gettext as _l

from coordination import policy
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.extensions import db
from coordination.refusals import Forbidden, RuleBroken
from coordination.territories.models import Territory, TerritoryLevel


def read_classifier() -> list[dict[str, str]]:
    """Rows of ``coordination/data/territories.csv``, each after its parent."""
    text = resources.files("coordination").joinpath("data/territories.csv").read_text("utf-8")
    order = list(TerritoryLevel)
    rows = list(csv.DictReader(text.splitlines()))
    return sorted(rows, key=lambda row: order.index(TerritoryLevel(row["level"])))


def load_territories() -> int:
    """Insert the classifier's regions and districts that are not there yet.

    Existing rows are left alone: names may have been corrected in the app.
    Returns the number of territories added.
    """
    by_code = {t.code: t for t in db.session.scalars(sa.select(Territory))}
    added = 0
    for row in read_classifier():
        if row["code"] in by_code:
            continue
        parent = by_code.get(row["parent"]) if row["parent"] else None
        if row["parent"] and parent is None:
            raise ValueError(f"territory {row['code']}: unknown parent {row['parent']}")
        territory = Territory(
            code=row["code"],
            level=TerritoryLevel(row["level"]),
            parent=parent,
            name_en=row["name_en"],
            name_ru=row["name_ru"],
            name_ky=row["name_ky"],
        )
        db.session.add(territory)
        by_code[territory.code] = territory
        added += 1
    db.session.flush()
    return added


def territory_by_code(code: str) -> Territory | None:
    """The territory with classifier ``code``, if any."""
    return db.session.scalar(sa.select(Territory).where(Territory.code == code))


def territory_paths(territories: list[Territory], lang: str) -> dict[int, str]:
    """Each territory's place, e.g. ``Chui › Sokuluk › Novopavlovka``, by id.

    Parents are looked up among ``territories`` (no query per territory);
    the country is left out of every path.
    """
    by_id = {t.id: t for t in territories}
    paths = {}
    for territory in territories:
        names, current = [], territory
        while current is not None and current.level != TerritoryLevel.COUNTRY:
            names.append(current.name(lang))
            current = by_id.get(current.parent_id)
        paths[territory.id] = " › ".join(reversed(names)) or territory.name(lang)
    return paths


#: The levels lists of agencies and users are filtered by.
FILTER_LEVELS = (TerritoryLevel.REGION, TerritoryLevel.DISTRICT)


def territory_options(
    lang: str, levels=tuple(TerritoryLevel), current: Territory | None = None
) -> list[tuple[int, str]]:
    """(id, place) of the active territories of ``levels``, in classifier order;
    ``current`` is kept even if retired (an agency's territory on its form)."""
    query = sa.select(Territory).where(Territory.active.is_(True)).order_by(Territory.code)
    territories = list(db.session.scalars(query))
    if current is not None and current not in territories:
        territories.append(current)
    paths = territory_paths(territories, lang)
    return [(t.id, paths[t.id]) for t in territories if t.level in levels or t is current]


def territory_path(territory: Territory, lang: str) -> str:
    """One territory's place (its parents are loaded one by one: at most three)."""
    chain = [territory]
    while chain[-1].parent is not None:
        chain.append(chain[-1].parent)
    return territory_paths(chain, lang)[territory.id]


# --- reference data maintained by administrators -----------------------------------


class TerritoryError(RuleBroken):
    """A territory could not be changed."""


@dataclass
class Names:
    en: str
    ru: str
    ky: str

    def checked(self) -> Names:
        """The names without surrounding spaces; raises if one is empty or too long."""
        names = Names(self.en.strip(), self.ru.strip(), self.ky.strip())
        for lang in ("en", "ru", "ky"):
            value = getattr(names, lang)
            if not value:
                raise TerritoryError(_l("Enter the name in every language."), f"name_{lang}")
            if len(value) > 120:
                raise TerritoryError(_l("A name has at most 120 characters."), f"name_{lang}")
        return names


def _require_admin(actor) -> None:
    if not policy.may_use(actor, policy.Section.REFERENCE_DATA):
        raise Forbidden("only administrators maintain reference data")


def regions_and_districts() -> list[tuple[Territory, int, int]]:
    """The country, regions and districts in classifier order, each with its
    number of active and retired municipalities (one grouped query)."""
    municipality = sa.orm.aliased(Territory)
    counts = (
        sa.select(
            municipality.parent_id,
            sa.func.count().filter(municipality.active.is_(True)),
            sa.func.count().filter(municipality.active.is_(False)),
        )
        .where(municipality.level == TerritoryLevel.MUNICIPALITY)
        .group_by(municipality.parent_id)
    )
    by_parent = {parent: (active, retired)
                 for parent, active, retired in db.session.execute(counts)}
    query = sa.select(Territory).where(Territory.level != TerritoryLevel.MUNICIPALITY)
    return [(t, *by_parent.get(t.id, (0, 0)))
            for t in db.session.scalars(query.order_by(Territory.code))]


def municipalities_of(district: Territory) -> list[Territory]:
    """The district's municipalities, active and retired, by code."""
    query = sa.select(Territory).where(Territory.parent_id == district.id,
                                       Territory.level == TerritoryLevel.MUNICIPALITY)
    return list(db.session.scalars(query.order_by(Territory.code)))


def rename_territory(actor, territory: Territory, names: Names) -> None:
    """Correct a territory's names in the three languages (its code stays)."""
    _require_admin(actor)
    names = names.checked()
    if (names.en, names.ru, names.ky) != (territory.name_en, territory.name_ru,
                                          territory.name_ky):
        territory.name_en, territory.name_ru, territory.name_ky = names.en, names.ru, names.ky
        record(AuditAction.TERRITORY_RENAMED, actor, "territory", territory.id)


def add_municipality(actor, district: Territory, code: str, names: Names) -> Territory:
    """Add a municipality (ayil aimak or town) under ``district``.

    Its code is digits that start with the district's code, and unique.
    """
    _require_admin(actor)
    if district.level != TerritoryLevel.DISTRICT:
        raise TerritoryError(_l("Municipalities are added to a district."))
    code = code.strip()
    if not (code.isascii() and code.isdigit() and code.startswith(district.code)
            and len(district.code) < len(code) <= 16):
        raise TerritoryError(_l("The code is digits that start with the district's code "
                                "%(code)s, at most 16 in all.", code=district.code), "code")
    if territory_by_code(code) is not None:
        raise TerritoryError(_l("The code %(code)s is taken.", code=code), "code")
    names = names.checked()
    municipality = Territory(code=code, level=TerritoryLevel.MUNICIPALITY, parent=district,
                             name_en=names.en, name_ru=names.ru, name_ky=names.ky)
    db.session.add(municipality)
    db.session.flush()
    record(AuditAction.MUNICIPALITY_ADDED, actor, "territory", municipality.id)
    return municipality


def set_municipality_active(actor, municipality: Territory, active: bool) -> None:
    """Retire a municipality, or reinstate a retired one.

    A retired municipality stays on the cases that name it and is no longer
    offered for new ones (``cases.services.municipality_choices``).
    """
    _require_admin(actor)
    if municipality.level != TerritoryLevel.MUNICIPALITY:
        raise TerritoryError(_l("Only municipalities are retired or reinstated."))
    if municipality.active != active:
        municipality.active = active
        record(AuditAction.MUNICIPALITY_REINSTATED if active else
               AuditAction.MUNICIPALITY_RETIRED, actor, "territory", municipality.id)
