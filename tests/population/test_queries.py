"""The denominators: stored figures, and the summing rule for regions and the country."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from coordination.cases.models import Sex
from coordination.extensions import db
from coordination.population.models import PopulationFigure
from coordination.population.queries import (
    coverage_years,
    population_by,
    population_of,
    populations_of,
)
from coordination.territories.models import Territory
from coordination.territories.services import territory_by_code
from tests.population.helpers import CHUI, SOKULUK

#: A year the demo has no figures for: each test writes the ones it needs.
YEAR = 2015
TALAS = "41707"
TALAS_DISTRICTS = {"41707215": (30_000, 29_000), "41707220": (25_000, 24_500),
                   "41707225": (20_000, 19_000), "41707232": (60_000, 58_000)}


def _store(code: str, female: int, male: int, year: int = YEAR) -> None:
    territory = territory_by_code(code)
    db.session.add_all([
        PopulationFigure(territory=territory, year=year, sex=Sex.FEMALE, population=female),
        PopulationFigure(territory=territory, year=year, sex=Sex.MALE, population=male)])
    db.session.flush()


def _talas_districts(leave_out: str | None = None) -> None:
    for code, (female, male) in TALAS_DISTRICTS.items():
        if code != leave_out:
            _store(code, female, male)


def test_population_by_is_keyed_by_territory_and_sex_in_one_query():
    _store(SOKULUK, 121_000, 119_000)
    sokuluk, chui = territory_by_code(SOKULUK), territory_by_code(CHUI)
    statements = []
    listener = lambda *_args: statements.append(1)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        found = population_by([sokuluk.id, chui.id], YEAR)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert found == {(sokuluk.id, "female"): 121_000, (sokuluk.id, "male"): 119_000}
    assert len(statements) == 1
    assert population_by([], YEAR) == {}


def test_a_region_without_its_own_figure_is_the_sum_of_its_districts():
    _talas_districts()
    talas = territory_by_code(TALAS)
    females = sum(female for female, _male in TALAS_DISTRICTS.values())
    males = sum(male for _female, male in TALAS_DISTRICTS.values())
    assert population_of(talas, YEAR, Sex.FEMALE) == females
    assert population_of(talas, YEAR, "male") == males
    assert population_of(talas, YEAR) == females + males


def test_a_missing_district_leaves_the_region_without_a_figure():
    _talas_districts(leave_out="41707225")
    talas = territory_by_code(TALAS)
    assert population_of(talas, YEAR) is None
    assert population_of(talas, YEAR, Sex.FEMALE) is None
    assert population_of(territory_by_code("41707232"), YEAR, Sex.FEMALE) == 60_000


def test_one_sex_missing_leaves_both_sexes_without_a_figure():
    sokuluk = territory_by_code(SOKULUK)
    db.session.add(PopulationFigure(territory=sokuluk, year=YEAR, sex=Sex.FEMALE,
                                    population=1000))
    db.session.flush()
    assert population_of(sokuluk, YEAR, Sex.FEMALE) == 1000
    assert population_of(sokuluk, YEAR, Sex.MALE) is None
    assert population_of(sokuluk, YEAR) is None


def test_the_regions_own_figure_wins_over_its_districts():
    _talas_districts()
    _store(TALAS, 140_000, 135_000)
    assert population_of(territory_by_code(TALAS), YEAR) == 275_000


def test_the_country_sums_its_regions_each_by_the_same_rule():
    country = territory_by_code("417")
    regions = db.session.scalars(
        sa.select(Territory).where(Territory.parent_id == country.id)).all()
    for region in regions:
        if region.code != TALAS:
            _store(region.code, 100_000, 90_000)
    assert population_of(country, YEAR) is None  # Talas has nothing yet
    _talas_districts()  # Talas is the sum of its districts
    talas = sum(f + m for f, m in TALAS_DISTRICTS.values())
    assert population_of(country, YEAR) == (len(regions) - 1) * 190_000 + talas


def test_a_district_is_not_summed_from_its_municipalities():
    assert population_of(territory_by_code(SOKULUK), YEAR) is None
    assert population_of(territory_by_code("41708222001"), YEAR) is None


def test_populations_of_answers_many_territories_in_one_query():
    _talas_districts()
    territories = [territory_by_code(code) for code in (TALAS, "41707215", CHUI)]
    statements = []
    listener = lambda *_args: statements.append(1)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        found = populations_of(territories, YEAR, Sex.MALE)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert found == {territories[0].id: 130_500, territories[1].id: 29_000,
                     territories[2].id: None}
    assert len(statements) == 1


def test_coverage_years_are_the_years_with_figures_newest_first():
    assert coverage_years() == [2026, 2025]
    _store(SOKULUK, 1, 1, year=2011)
    assert coverage_years() == [2026, 2025, 2011]


@pytest.mark.parametrize("sex", ["other", ""])
def test_an_unknown_sex_is_a_programming_error(sex):
    with pytest.raises(ValueError):
        population_of(territory_by_code(SOKULUK), YEAR, sex)
