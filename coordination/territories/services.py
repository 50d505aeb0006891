"""Loading the territorial classifier shipped with the package."""
from __future__ import annotations

import csv
from importlib import resources

import sqlalchemy as sa

from coordination.extensions import db
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
