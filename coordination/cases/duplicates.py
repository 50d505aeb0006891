"""The duplicate guard: is this survivor already registered in the district?

At intake the survivor's folded name (coordination/cases/folding.py), birth
year and district are compared with the survivors already registered. A
match is shown with its reference when the user may see that case; a match
the user may not see is told only as "a case for this person may exist;
contact the committee of <district>", never its reference, status or
agencies. Every check is audited (which cases it matched), so a check used
to probe for a person leaves a trace.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from coordination import policy
from coordination.accounts.models import User
from coordination.audit.models import AuditAction
from coordination.audit.services import record
from coordination.cases.folding import fold_word
from coordination.cases.models import Case, Person, PersonRole
from coordination.extensions import db
from coordination.territories.models import Territory


@dataclass
class SurvivorKey:
    """What the guard compares: the survivor's names, birth year and district."""

    last_name: str
    first_name: str
    patronymic: str | None
    birth_year: int | None
    district_id: int


@dataclass
class DuplicateCheck:
    #: Possible matches the user may see (their references are shown).
    visible: list[Case] = field(default_factory=list)
    #: Districts holding a possible match the user may not see (nothing else is told).
    hidden_districts: list[Territory] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.visible or self.hidden_districts)


def _name_matches(key: SurvivorKey) -> sa.ColumnElement[bool] | None:
    """Folded surname and given name equal; patronymics equal when both are known.

    Keys hold only ``a``-``z`` and spaces, so "every key starting with
    ``base + ' '``" is the range up to ``base + ' {'`` (``{`` follows ``z``),
    which a B-tree index reads on any database.
    """
    surname, given = fold_word(key.last_name), fold_word(key.first_name)
    if not surname or not given:
        return None
    base = f"{surname} {given}"
    patronymic = fold_word(key.patronymic)
    if patronymic:
        return Person.name_key.in_([base, f"{base} {patronymic}"])
    return sa.or_(Person.name_key == base,
                  sa.and_(Person.name_key > f"{base} ", Person.name_key < f"{base} {{"))


def _matching_cases(key: SurvivorKey) -> list[Case]:
    names = _name_matches(key)
    if names is None or key.birth_year is None:
        return []
    query = (
        sa.select(Case)
        .join(Person, Person.case_id == Case.id)
        .where(Person.role == PersonRole.SURVIVOR, Person.birth_year == key.birth_year,
               names, Case.district_id == key.district_id)
        .distinct()
        .order_by(Case.id)
        .limit(20)  # a name shared by more survivors than this is told once anyway
    )
    return list(db.session.scalars(query))


def check_duplicates(user: User, key: SurvivorKey) -> DuplicateCheck:
    """Possible earlier cases of the survivor, split by what ``user`` may see.

    Writes one audit entry per match (or one without an object when nothing
    matched) and flushes; the request commits it even when the user then
    decides not to register.
    """
    matches = _matching_cases(key)
    visible_ids = set()
    if matches:
        visible_ids = set(db.session.scalars(
            sa.select(Case.id).where(Case.id.in_([case.id for case in matches]),
                                     policy.case_visibility_per_row(user))))
    check = DuplicateCheck()
    for case in matches:
        if case.id in visible_ids:
            check.visible.append(case)
        elif case.district not in check.hidden_districts:
            check.hidden_districts.append(case.district)
        record(AuditAction.DUPLICATE_CHECKED, user, "case", case.id)
    if not matches:
        record(AuditAction.DUPLICATE_CHECKED, user)
    db.session.flush()
    return check
