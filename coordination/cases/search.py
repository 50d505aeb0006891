"""What the case list's search box finds, as one SQL predicate on a case.

A text finds a case by any part of its reference, by the start of its
survivor code, by any part of a police register (ERPP) or information-log
number of one of its incidents, or by the names of its people, each word of
the text folded (coordination/cases/folding.py) and found anywhere in the
folded name. The caller applies it *inside* ``policy.visible_cases(user)``:
names are searched only among the cases whose page, and so whose names, the
user may see (DESIGN.md section 4).

On PostgreSQL each part reads a trigram index (pg_trgm) for texts of three
characters or more; the parts are one ``UNION`` of case ids, so each index is
read once, not once per visible case.
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
    """SQL predicate on :class:`Case`: the cases ``text`` finds (None: no text)."""
    ids = matching_case_ids(text)
    return None if ids is None else Case.id.in_(ids)
