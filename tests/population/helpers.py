"""Shared by the population tests: figures read straight from the database."""
from __future__ import annotations

import sqlalchemy as sa

from coordination.audit.models import AuditAction, AuditEvent
from coordination.extensions import db
from coordination.population.models import PopulationFigure
from coordination.territories.services import territory_by_code

SOKULUK = "41708222"
CHUI = "41708"
#: The demo's years for DEMO_NOW (2026-11-01, cases over 18 months).
DEMO_YEARS = (2025, 2026)


def figure(code: str, year: int, sex: str) -> PopulationFigure | None:
    db.session.expire_all()  # see what requests committed
    return db.session.scalar(sa.select(PopulationFigure).where(
        PopulationFigure.territory_id == territory_by_code(code).id,
        PopulationFigure.year == year, PopulationFigure.sex == sex))


def all_figures() -> list[tuple]:
    """Every stored figure as plain values, to prove nothing changed."""
    db.session.expire_all()
    return db.session.execute(sa.select(
        PopulationFigure.territory_id, PopulationFigure.year, PopulationFigure.sex,
        PopulationFigure.population, PopulationFigure.demo).order_by(PopulationFigure.id)).all()


def audited(action: AuditAction) -> int:
    return db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == action))
