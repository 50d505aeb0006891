"""What the case list's search box finds, as one SQL predicate on a case.

A text finds a case by any part of its reference, by the start of its
survivor code, by any part of a police register (ERPP) or information-log
number of one of its incidents, or by the names of its people, each word of
the text folded (coordination/cases/folding.py) and found anywhere in the
folded name. The caller applies it *inside* ``policy.visible_cases(user)``:
names are searched only among the cases whose page, and so whose names, the
user may see (DESIGN.md section 4); a case the user reads as a former party
is found by what its page shows that user alone (:func:`_exact`).

At national scale the predicate is led by an index of the text: a text
that an index can serve (three characters or more, no LIKE wildcard) first
collects the ids of the cases it may find, country-wide, from the index, and
only those are tested exactly and against the user's visibility:

* PostgreSQL: the GIN trigram indexes (``pg_trgm``) of the reference, the
  survivor code, the police numbers and the folded names, one ``UNION``
  (:func:`matching_case_ids`);
* SQLite: the FTS5 trigram table ``case_search`` (one row per case, kept by
  triggers; migration 9d3f7a2c5e18), its ``refs`` and ``names`` columns.

A shorter text (one or two letters) can use no trigram; it is tested on the
user's visible cases alone, each read by case id, as before.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from coordination import policy
from coordination.accounts.models import User
from coordination.cases.folding import fold_text
from coordination.cases.models import Case, Incident, Person
from coordination.extensions import db


def _escape(text: str) -> str:
    """The text as a literal part of a LIKE pattern."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def matching_case_ids(text: str, words: list[str] | None = None
                      ) -> sa.CompoundSelect | None:
    """``SELECT`` of the ids of the cases ``text`` finds, or None for no text.

    ``words``: the name words to look up (by default every folded word); on
    PostgreSQL each part reads its GIN trigram index.
    """
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
    words = fold_text(text).split() if words is None else words
    if words:
        parts.append(sa.select(Person.case_id).where(
            *(Person.name_key.contains(word, autoescape=True) for word in words)))
    return sa.union(*parts)


#: SQLite's FTS5 table and its shadow tables: made by the migration, not
#: declared in the models (Alembic's comparison leaves them alone: migrations/env.py).
DATABASE_ONLY_TABLES = frozenset({"case_search"} | {
    f"case_search_{shadow}" for shadow in ("data", "idx", "content", "docsize", "config")})

#: The shortest text a trigram index can serve.
TRIGRAM = 3


def _indexable(text: str) -> list[str] | None:
    """The folded name words that an index lookup uses, or None when ``text``
    cannot be looked up in a trigram index: too short, or a LIKE wildcard
    (the indexes would not take it literally). A name is looked up by its
    words of three letters or more; shorter words only narrow what those
    found ("26-7KQ" folds to the single letter "k": a part of a reference,
    not a name to look for)."""
    if len(text) < TRIGRAM or any(c in text for c in ("%", "_", "\\")):
        return None
    return [word for word in fold_text(text).split() if len(word) >= TRIGRAM]


def _sqlite_candidates(text: str, words: list[str]) -> sa.Select:
    """Ids of the cases whose FTS5 row holds ``text`` (refs) or every long
    name word (names). The trigram tokenizer folds case, as ILIKE does."""
    search = sa.table("case_search", sa.column("rowid", sa.Integer),
                      sa.column("refs", sa.String), sa.column("names", sa.String))
    # Plain two-argument LIKE: FTS5 serves it from its index (an ESCAPE
    # clause would make it scan), which is why wildcards never reach here.
    # The text as typed and upper-cased: references and codes are stored
    # upper-case, and SQLite's LIKE folds ASCII letters only.
    parts = [sa.select(search.c.rowid).where(search.c.refs.op("LIKE")(f"%{variant}%"))
             for variant in dict.fromkeys((text, text.upper()))]
    if words:
        parts.append(sa.select(search.c.rowid).where(
            *(search.c.names.op("LIKE")(f"%{word}%") for word in words)))
    return sa.union(*parts)


def _candidates(text: str) -> sa.Select | None:
    """Country-wide ids of the cases ``text`` may find, read from an index;
    None when no index can serve ``text`` (the exact test then runs alone)."""
    words = _indexable(text)
    if words is None:
        return None
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite":
        return _sqlite_candidates(text, words)
    if dialect == "postgresql":
        return matching_case_ids(text, words)
    return None


def search_predicate(text: str, user: User) -> ColumnElement[bool] | None:
    """SQL predicate on :class:`Case`: the cases ``text`` finds for ``user``
    (None: no text).

    ``case.id IN (ids from the index)`` comes first when an index serves the
    text (module docstring), then the exact test, whose parts on incidents
    and people are correlated lookups by case id: within ``visible_cases``
    no table is scanned (tests/test_query_plans.py), and the cost follows
    the cases the index found, not the country's.
    """
    text = " ".join(text.split())
    if not text:
        return None
    exact = _exact(text, user)
    candidates = _candidates(text)
    if candidates is None:
        return exact
    return sa.and_(Case.id.in_(candidates), exact)


def _exact(text: str, user: User) -> ColumnElement[bool]:
    """The search's meaning, tested on one case.

    A case ``user`` reads as a former party is found only by what its page
    shows that user (``policy.case_reading``): its reference, its survivor
    code, the register numbers of the incidents the user's agency recorded;
    never by its people's names.
    """
    upper = text.upper()
    pattern = f"%{_escape(text)}%"
    as_former_party = policy.reads_as_former_party(user)
    parts = [
        Case.reference.like(f"%{_escape(upper)}%", escape="\\"),
        Case.survivor_code.startswith(upper, autoescape=True),
        sa.select(Incident.id).where(
            Incident.case_id == Case.id,
            sa.or_(Incident.crime_register_number.ilike(pattern, escape="\\"),
                   Incident.info_log_number.ilike(pattern, escape="\\")),
            sa.or_(sa.not_(as_former_party), policy.incidents_read_as_former_party(user)),
        ).exists(),
    ]
    words = fold_text(text).split()
    if words:
        parts.append(sa.and_(sa.not_(as_former_party), sa.select(Person.id).where(
            Person.case_id == Case.id,
            *(Person.name_key.contains(word, autoescape=True) for word in words)).exists()))
    return sa.or_(*parts)
