"""The demo loads plausible figures for every region and district, marked demo."""
from __future__ import annotations

import sqlalchemy as sa

from coordination.cases.models import Sex
from coordination.extensions import db
from coordination.population.models import PopulationFigure
from coordination.population.queries import population_by, population_of
from coordination.territories.models import Territory, TerritoryLevel
from coordination.territories.services import territory_by_code
from tests.population.helpers import DEMO_YEARS


def _regions_and_districts() -> list[Territory]:
    return db.session.scalars(sa.select(Territory).where(
        Territory.level.in_((TerritoryLevel.REGION, TerritoryLevel.DISTRICT)))).all()


def test_every_region_and_district_has_both_sexes_for_the_demos_years_marked_demo():
    territories = _regions_and_districts()
    for year in DEMO_YEARS:
        found = population_by([t.id for t in territories], year)
        assert set(found) == {(t.id, sex.value) for t in territories for sex in Sex}
        assert all(population > 0 for population in found.values())
    demo = db.session.scalars(sa.select(PopulationFigure.demo).distinct()).all()
    assert demo == [True]


def test_the_demo_figures_are_plausible():
    country = territory_by_code("417")
    total = population_of(country, 2026)
    assert 7_000_000 < total < 7_400_000
    assert 0.50 < population_of(country, 2026, Sex.FEMALE) / total < 0.51
    assert 1_050_000 < population_of(territory_by_code("41711"), 2026) < 1_150_000  # Bishkek
    assert 330_000 < population_of(territory_by_code("41721"), 2026) < 370_000  # Osh city
    assert population_of(country, 2025) < total  # the population grows


def test_each_region_is_the_sum_of_its_districts():
    for region in db.session.scalars(
            sa.select(Territory).where(Territory.level == TerritoryLevel.REGION)):
        districts = db.session.scalars(
            sa.select(Territory.id).where(Territory.parent_id == region.id)).all()
        for year in DEMO_YEARS:
            stored = population_by([region.id, *districts], year)
            for sex in Sex:
                assert stored[(region.id, sex.value)] == sum(
                    stored[(district, sex.value)] for district in districts), region.code
