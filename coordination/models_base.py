"""Small column helpers shared by every domain's models."""
from __future__ import annotations

import enum
from datetime import UTC, datetime

import sqlalchemy as sa


def utcnow() -> datetime:
    """Naive UTC "now": both databases store timestamps without a zone here."""
    return datetime.now(UTC).replace(tzinfo=None)


def enum_type(
    enum_cls: type[enum.Enum], constrained: bool = True, name: str | None = None
) -> sa.Enum:
    """A portable enum column: VARCHAR storing the values, plus a CHECK.

    Native PostgreSQL enums would need a migration for every new value.
    ``constrained=False`` leaves out the CHECK for lists that grow with every
    feature (audit actions, timeline kinds), whose tables should not be
    rebuilt by SQLite batch migrations for each new member. ``name`` names
    the CHECK constraint when a table has two columns of the same enum.
    """
    return sa.Enum(
        enum_cls,
        name=name or enum_cls.__name__.lower(),
        native_enum=False,
        create_constraint=constrained,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
