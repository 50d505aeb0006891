"""Query pieces the administration's lists share: text search, territory
filter, one page of results."""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from coordination.agencies.models import Agency
from coordination.extensions import db
from coordination.territories.models import Territory
from coordination.territories.queries import territories_within


def matching_text(query: sa.Select, text: str | None, *columns) -> sa.Select:
    """Rows where any of ``columns`` contains ``text``, ignoring case.

    PostgreSQL lowers any alphabet; SQLite only Latin letters, so Cyrillic
    text is also matched as typed.
    """
    text = (text or "").strip()
    if not text:
        return query
    pattern = f"%{text.lower()}%"
    return query.where(sa.or_(
        *(sa.func.lower(column).like(pattern) for column in columns),
        *(column.contains(text) for column in columns),
    ))


def agencies_within(query: sa.Select, territory_id: int | None) -> sa.Select:
    """Rows whose agency serves the territory ``territory_id`` or one within it."""
    territory = db.session.get(Territory, territory_id) if territory_id is not None else None
    if territory is None:
        return query
    return query.where(Agency.territory_id.in_(territories_within(territory)))


def admin_page(query: sa.Select, page: int):
    """One page of an administration list (a Pagination with its total)."""
    return db.paginate(query, page=page, per_page=current_app.config["ADMIN_PER_PAGE"],
                       error_out=False, count=True)
