"""Anonymized statistical records: one per counted unit, coded dimensions only.

The reports read nothing else (and the population figures). A record holds
no name, reference, exact date or free text: a local month, the territory's
ids and short codes. ``record_key`` is a secret random number per unit that
never leaves the database: the cell key method (``cellkey``) derives each
published cell's noise from the sum of the keys of the units in it.
``case_id`` and ``source_id`` tie a record to what it was computed from, so
that a change to a case refreshes its records; no output ever shows them.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from coordination.extensions import db

#: The code of a dimension that does not apply to the unit.
NOT_APPLICABLE = ""
#: The code of a value that was not recorded (a row of its own, never dropped).
NOT_RECORDED = "?"


def _code(length: int = 24) -> Mapped[str]:
    return mapped_column(sa.String(length), default=NOT_APPLICABLE,
                         server_default=NOT_APPLICABLE)


class StatisticalRecord(db.Model):
    __tablename__ = "statistical_records"
    __table_args__ = (
        # What every report filters on: the unit, then the period.
        sa.Index("ix_statistical_records_unit_month", "unit", "month", "region_id"),
        sa.Index("ix_statistical_records_case", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What is counted: case, survivor, incident, form, order, extension,
    #: violation, referral, programme_start, programme_end, closure, overdue.
    unit: Mapped[str] = mapped_column(sa.String(16))
    case_id: Mapped[int]
    source_id: Mapped[int]
    record_key: Mapped[int] = mapped_column(sa.BigInteger)
    #: The local month (Asia/Bishkek) of the unit's date basis, as YYYYMM.
    month: Mapped[int]
    region_id: Mapped[int]
    district_id: Mapped[int]
    sex: Mapped[str] = _code()
    age_band: Mapped[str] = _code()
    relationship: Mapped[str] = _code()
    perpetrator_sex: Mapped[str] = _code()
    form: Mapped[str] = _code()
    agency_type: Mapped[str] = _code()
    service: Mapped[str] = _code()
    outcome: Mapped[str] = _code(32)
    risk: Mapped[str] = _code()
    reporter: Mapped[str] = _code()
    #: "y"/"n" flags: a repeat case; within the deadline; intimate partner.
    repeat: Mapped[str] = _code(1)
    in_time: Mapped[str] = _code(1)
    intimate: Mapped[str] = _code(1)
    #: "y"/"n": an order with electronic monitoring.
    monitored: Mapped[str] = _code(1)
    #: Days from the incident to the case's registration, as a band.
    lag: Mapped[str] = _code(8)
    #: Tenths of an hour from sending a referral to its answer (-1: none).
    tenths: Mapped[int] = mapped_column(default=-1, server_default="-1")
