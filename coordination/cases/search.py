"""What the case list's search box finds, as one SQL predicate on a case.

A text finds a case by any part of its reference, by the start of its
survivor code, by any part of a police register (ERPP) or information-log
number of one of its incidents, or by the names of its people, each word of
the text folded (coordination/cases/folding.py) and found anywhere in the
folded name. The caller applies it *inside* ``policy.visible_cases(user)``:
names are searched only among the cases whose page, and so whose names, the
user may see (DESIGN.md section 4).

The trigram indexes (pg_trgm, PostgreSQL) serve :func:`matching_case_ids`,
the country-wide form (an operator's look-up, the benchmark); the case list
searches only the user's visible cases, by case id (:func:`search_predicate`).
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from coordination.cases.folding import fold_text
from coordination.cases.models import Case, Incident, Person


def _escape(text: str) -> str:
    """The text as a literal part of a LIKE pattern."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def matching_case_ids(text: str) -> sa.CompoundSelect | None:
    """``SELECT`` of the ids of the cases ``text`` finds, or None for no text."""
    text = " ".join(text.split())
    if not text:
        return None
    upper = text.upper()
    pattern = f"%{_escape(upper)}%"
    parts = [
        # Both columns are stored upper-case: SQLite's upper() knows no Cyrillic.
        sa.select(Case.id).where(Case.reference.like(pattern, escape="\\")),
        sa.select(Case.id).where(Case.survivor_code.startswith(upper, autoescape=True)),
        sa.select(Incident.case_id).where(
            Incident.crime_register_number.ilike(f"%{_escape(text)}%", escape="\\")),
        sa.select(Incident.case_id).where(
            Incident.info_log_number.ilike(f"%{_escape(text)}%", escape="\\")),
    ]
    words = fold_text(text).split()
    if words:
        parts.append(sa.select(Person.case_id).where(
            *(Person.name_key.contains(word, autoescape=True) for word in words)))
    return sa.union(*parts)


def search_predicate(text: str) -> ColumnElement[bool] | None:
    """SQL predicate on :class:`Case`: the cases ``text`` finds (None: no text).

    The parts on incidents and people are correlated lookups by case id, so
    that within ``visible_cases`` the database reads each visible case's rows
    by index (``ix_people_case_id``, ``ix_incidents_case_id``) and never
    scans a whole table (tests/test_query_plans.py): the cost follows the
    user's cases, not the country's.
    """
    text = " ".join(text.split())
    if not text:
        return None
    upper = text.upper()
    pattern = f"%{_escape(text)}%"
    parts = [
        Case.reference.like(f"%{_escape(upper)}%", escape="\\"),
        Case.survivor_code.startswith(upper, autoescape=True),
        sa.select(Incident.id).where(
            Incident.case_id == Case.id,
            sa.or_(Incident.crime_register_number.ilike(pattern, escape="\\"),
                   Incident.info_log_number.ilike(pattern, escape="\\"))).exists(),
    ]
    words = fold_text(text).split()
    if words:
        parts.append(sa.select(Person.id).where(
            Person.case_id == Case.id,
            *(Person.name_key.contains(word, autoescape=True) for word in words)).exists())
    return sa.or_(*parts)
