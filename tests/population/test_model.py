"""The table keeps one figure per territory, year and sex, never negative."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from coordination.extensions import db
from coordination.population.models import PopulationFigure
from coordination.territories.services import territory_by_code
from tests.population.helpers import SOKULUK


def _add(**values) -> None:
    fields = {"territory": territory_by_code(SOKULUK), "year": 2019, "sex": "female",
              "population": 100, **values}
    with db.session.begin_nested():
        db.session.add(PopulationFigure(**fields))
        db.session.flush()


def test_a_new_figure_is_not_a_demo_figure():
    _add()
    stored = db.session.scalar(sa.select(PopulationFigure).where(PopulationFigure.year == 2019))
    assert stored.demo is False and stored.updated_at is not None


def test_one_figure_per_territory_year_and_sex():
    _add()
    _add(sex="male")
    with pytest.raises(sa.exc.IntegrityError):
        _add(population=200)


def test_the_database_refuses_a_negative_population():
    with pytest.raises(sa.exc.IntegrityError):
        _add(population=-1)


def test_the_database_refuses_a_sex_outside_female_and_male():
    with pytest.raises((sa.exc.IntegrityError, sa.exc.StatementError, LookupError)):
        _add(sex="other")
