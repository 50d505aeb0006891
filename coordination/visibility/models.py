"""One row per (agency, case) the agency may see: the access policy's case
rule (``policy._visible_case_ids``) kept as data, so that a list reads the
first page of an agency's cases from one index, newest first, instead of
collecting, counting and sorting every case it may see.

A committee of the whole country sees every case and has no rows. The rows
are derived: ``coordination.visibility.index`` recomputes a case's rows in
the transaction that changes who is involved in it, and the policy's
truth-table tests hold them to the rule for every demo user and case.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from coordination.extensions import db


class CaseAccess(db.Model):
    __tablename__ = "case_access"
    __table_args__ = (
        # The list's order (newest first) within one agency, and its key.
        sa.Index("ix_case_access_agency_newest", "agency_id", "created_at", "case_id"),
        sa.Index("ix_case_access_case", "case_id"),
    )

    agency_id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(primary_key=True)
    #: The case's registration time (a copy: the list's order).
    created_at: Mapped[datetime]
