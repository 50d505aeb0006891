"""Plausible population figures for the demo: every region and district, by
year and sex, marked ``demo`` so that nobody takes them for official ones.

The shapes follow the National Statistical Committee's published figures
(about 7.2 million people, about 50.5 % women; Bishkek about 1.1 million,
Osh city about 0.35 million). Cities of regional significance, which the
classifier does not list, are counted in the district around them, so each
region is the sum of its districts. Earlier years shrink by the growth rate.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from coordination.cases.models import Sex
from coordination.extensions import db
from coordination.population.models import PopulationFigure
from coordination.territories.models import Territory

#: Both sexes in the demo's last year, by district classifier code.
DISTRICT_POPULATION = {
    # Bishkek city
    "41711201": 330_000, "41711202": 290_000, "41711203": 230_000, "41711204": 250_000,
    # Osh city
    "41721000": 350_000,
    # Batken
    "41705214": 158_400, "41705258": 253_400, "41705236": 190_100,
    # Jalal-Abad
    "41703211": 158_400, "41703204": 121_400, "41703207": 211_200, "41703215": 211_200,
    "41703220": 506_900, "41703223": 28_500, "41703225": 126_700, "41703230": 34_800,
    # Issyk-Kul
    "41702205": 169_000, "41702210": 100_300, "41702215": 147_800, "41702220": 58_100,
    "41702225": 68_600,
    # Naryn
    "41704210": 42_200, "41704220": 63_400, "41704230": 52_800, "41704235": 73_900,
    "41704245": 95_000,
    # Osh region
    "41706207": 95_000, "41706211": 158_400, "41706226": 454_100, "41706242": 295_700,
    "41706246": 105_600, "41706255": 327_400, "41706259": 31_700,
    # Talas
    "41707215": 68_600, "41707220": 58_100, "41707225": 42_200, "41707232": 126_700,
    # Chui
    "41708203": 221_800, "41708206": 179_500, "41708209": 132_000, "41708213": 52_800,
    "41708217": 116_200, "41708219": 52_800, "41708222": 221_800, "41708223": 137_300,
}
#: Women's share: higher in the two cities, which draw women to work and study.
FEMALE_SHARE = {"41711": 0.525, "41721": 0.515}
RURAL_FEMALE_SHARE = 0.5
#: Yearly growth of the population.
GROWTH = 1.018


def demo_years(now: datetime, months: int) -> list[int]:
    """The calendar years the demo's cases fall in (``months`` back from ``now``)."""
    first = (now - timedelta(days=months * 31)).year
    return list(range(first, now.year + 1))


def _district_figures(code: str, year: int, last_year: int) -> dict[Sex, int]:
    # A small, fixed tail per district so the figures do not all end in 00.
    total = round((DISTRICT_POPULATION[code] + int(code) * 37 % 1000)
                  / GROWTH ** (last_year - year))
    female = round(total * FEMALE_SHARE.get(code[:5], RURAL_FEMALE_SHARE))
    return {Sex.FEMALE: female, Sex.MALE: total - female}


def add_population(now: datetime, months: int) -> int:
    """Add demo figures for every region and district over the demo's years;
    returns how many. Each region's figure is the sum of its districts."""
    years = demo_years(now, months)
    by_code = {t.code: t for t in db.session.scalars(sa.select(Territory))}
    figures = []
    for year in years:
        regions: dict[str, dict[Sex, int]] = {}
        for code in DISTRICT_POPULATION:
            district = _district_figures(code, year, years[-1])
            region = regions.setdefault(code[:5], dict.fromkeys(Sex, 0))
            for sex, population in district.items():
                region[sex] += population
            figures += _figures(by_code[code], year, district)
        for code, region in regions.items():
            figures += _figures(by_code[code], year, region)
    db.session.add_all(figures)
    db.session.flush()
    return len(figures)


def _figures(territory: Territory, year: int,
             by_sex: dict[Sex, int]) -> list[PopulationFigure]:
    return [PopulationFigure(territory=territory, year=year, sex=sex, population=population,
                             demo=True)
            for sex, population in by_sex.items()]
