"""How a value of the case record becomes a code of the statistics layer.

Months are local (Asia/Bishkek): a case registered at 20:00 UTC on 31 March
is an April case in Bishkek. Ages are whole years at the case's registration
(the birth year is all the record holds), in the bands of DESIGN.md section 5.
"""
from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from babel.dates import get_timezone

from coordination.cases.models import Relationship
from coordination.statistics.models import NOT_RECORDED

LOCAL_ZONE = get_timezone("Asia/Bishkek")

#: (code, lowest age, highest age or None); 0-17 are the minors.
AGE_BANDS = (("0-17", 0, 17), ("18-20", 18, 20), ("21-30", 21, 30), ("31-40", 31, 40),
             ("41-50", 41, 50), ("51+", 51, None))
MINOR_BANDS = ("0-17",)

#: Days from the incident to the case's registration: (code, most days or None).
LAG_BANDS = (("0", 0), ("1-2", 2), ("3-7", 7), ("8-30", 30), ("31+", None))

#: Who the alleged perpetrator is when the violence is by an intimate partner.
INTIMATE = frozenset({Relationship.SPOUSE, Relationship.FORMER_SPOUSE,
                      Relationship.DE_FACTO_PARTNER})


def local_date(moment: datetime) -> date:
    """The date in Bishkek of a naive UTC datetime."""
    return moment.replace(tzinfo=UTC).astimezone(LOCAL_ZONE).date()


def month_of(day: date) -> int:
    """A date's month as YYYYMM."""
    return day.year * 100 + day.month


def local_month(moment: datetime) -> int:
    return month_of(local_date(moment))


def age_band(birth_year: int | None, year: int) -> str:
    if birth_year is None or year < birth_year:
        return NOT_RECORDED
    age = year - birth_year
    return next(code for code, _low, high in AGE_BANDS if high is None or age <= high)


def lag_band(occurred: date | None, registered: date) -> str:
    if occurred is None:
        return NOT_RECORDED
    days = (registered - occurred).days
    for code, most in LAG_BANDS:
        if most is None or days <= most:
            return code
    return NOT_RECORDED


def response_bucket(tenths: int) -> int:
    """Tenths of an hour as the medians read them: to the tenth below 10 hours,
    to the hour below 100 hours, to ten hours beyond (nearest). Keeps the
    histograms the medians are computed from a few hundred values long."""
    if tenths < 100:
        return tenths
    if tenths < 1000:
        return (tenths + 5) // 10 * 10
    return (tenths + 50) // 100 * 100


def response_bucket_sql(tenths):
    """:func:`response_bucket` in SQL (integer division on both databases)."""
    return sa.case((tenths < 100, tenths), (tenths < 1000, (tenths + 5) // 10 * 10),
                   else_=(tenths + 50) // 100 * 100)


def flag(value: bool) -> str:
    return "y" if value else "n"


def value_of(member) -> str:
    """An enum member's value, or the not-recorded code for None."""
    return NOT_RECORDED if member is None else str(getattr(member, "value", member))
