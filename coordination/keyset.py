"""Pages of a work list that cost what the page shows (the inboxes).

A page is read from an index on the list's filter and order and stops at
the page's size: the next page starts *after* the last row shown (keyset
pagination), never at an ``OFFSET`` the database would have to walk. The
count above a list stops at :data:`COUNT_CAP` ("200+"), so it too costs at
most a bounded walk of the same index, however much work an agency has.

The position in a list is the opaque token of the last row shown (a URL
never carries a database id or a row's values); the page looks that row's
sort key up by its primary key.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from coordination.counts import Capped
from coordination.extensions import db

#: Where a list's count stops: "200+" is all a worker needs to know.
COUNT_CAP = 200
#: Rows per page of an inbox.
PAGE_SIZE = 25


def capped_count_of(parts: list[sa.Select], cap: int = COUNT_CAP) -> Capped:
    """How many rows the union of ``parts`` has, counting no further than
    ``cap`` + 1 in each part (each walks its own index and stops there)."""
    limited = [part.with_only_columns(sa.literal(1)).order_by(None).limit(cap + 1)
               for part in parts]
    union = (limited[0] if len(limited) == 1
             else sa.union_all(*(part.subquery().select() for part in limited)))
    found = db.session.scalar(sa.select(sa.func.count()).select_from(union.subquery()))
    return Capped(min(found, cap), found > cap)


def after(keys: Sequence[sa.ColumnElement], values: Sequence) -> sa.ColumnElement[bool]:
    """Rows that come after ``values`` in the ascending order of ``keys``
    (the last key is the primary key, which makes the order total)."""
    condition = keys[-1] > values[-1]
    for key, value in zip(reversed(keys[:-1]), reversed(values[:-1]), strict=True):
        condition = sa.or_(key > value, sa.and_(key == value, condition))
    return condition


@dataclass
class KeysetPage:
    rows: list
    #: The last row shown when there is a next page (its token is the cursor).
    last: object | None

    @property
    def has_next(self) -> bool:
        return self.last is not None


def first_rows(parts: list[sa.Select], keys: Sequence[str], size: int) -> list[int]:
    """The ids of the first ``size`` rows of the union of ``parts``, in the
    order of ``keys`` (column names each part selects, ending with ``id``).

    Each part is a ``SELECT`` of the keys that one index answers in order
    (one agency and one status, say) and stops at ``size`` rows; the
    union's order is then taken over at most ``size`` rows a part, so a
    list that spans two statuses still costs a page, not the agency's set.
    """
    if len(parts) == 1:
        return list(db.session.scalars(parts[0].limit(size).with_only_columns(
            parts[0].selected_columns["id"])))
    union = sa.union_all(*(part.limit(size).subquery().select() for part in parts)).subquery()
    return list(db.session.scalars(
        sa.select(union.c.id).order_by(*(union.c[key] for key in keys)).limit(size)))
