"""One row per (agency, case) the agency may see: the access policy's case
rule (``policy._visible_case_ids``) kept as data, so that a list reads the
first page of an agency's cases from one index, newest first, instead of
collecting, counting and sorting every case it may see.

A committee of the whole country sees every case and has no rows. The rows
are derived: ``coordination.visibility.index`` recomputes a case's rows in
the transaction that changes who is involved in it (or the case itself), and
the policy's truth-table tests hold them to the rule for every demo user and
case.

The row also carries copies of the case's status, risk level and district:
the case list's filters, so that a filtered page (and its capped count) is
read from one index of the agency's rows, as the unfiltered one is, instead
of looking up every visible case to test it.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from coordination.cases.models import CaseStatus, RiskLevel
from coordination.extensions import db
from coordination.models_base import enum_type


class CaseAccess(db.Model):
    __tablename__ = "case_access"
    __table_args__ = (
        # The list's order (newest first) within one agency, and its key.
        sa.Index("ix_case_access_agency_newest", "agency_id", "created_at", "case_id"),
        sa.Index("ix_case_access_case", "case_id"),
        # The same order within one value of each of the list's filters.
        # The status index carries the risk level and the risk index the
        # status after the key (which leaves the order as it is): a page or
        # count filtered on both, and the home page's high-risk cases not
        # closed, are then read from the index alone.
        sa.Index("ix_case_access_agency_status_newest",
                 "agency_id", "status", "created_at", "case_id", "risk_level"),
        sa.Index("ix_case_access_agency_risk_newest",
                 "agency_id", "risk_level", "created_at", "case_id", "status"),
        sa.Index("ix_case_access_agency_district_newest",
                 "agency_id", "district_id", "created_at", "case_id"),
    )

    agency_id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(primary_key=True)
    #: The case's registration time (a copy: the list's order).
    created_at: Mapped[datetime]
    #: Copies of the case's columns the list filters on (kept with the rows).
    status: Mapped[CaseStatus] = mapped_column(
        enum_type(CaseStatus, constrained=False, name="case_access_status"))
    risk_level: Mapped[RiskLevel | None] = mapped_column(
        enum_type(RiskLevel, constrained=False, name="case_access_risk"))
    district_id: Mapped[int]
