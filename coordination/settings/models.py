"""Stored settings and the append-only history of their changes."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.accounts.models import User
from coordination.extensions import db
from coordination.models_base import utcnow


class Setting(db.Model):
    """The current value of a setting changed in the app.

    A setting without a row has its default from the app's config.
    """

    __tablename__ = "settings"

    #: The setting's name, e.g. ``suppression_k`` (the config name in lower case).
    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(sa.JSON)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    updated_by: Mapped[User | None] = relationship()


class SettingChange(db.Model):
    """One change of one setting: who, when, from what to what. Never changed.

    The database refuses UPDATE and DELETE (see the migration), and the ORM
    refuses them before they reach it, as for the audit log.
    """

    __tablename__ = "setting_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(64), index=True)
    #: The value in force before: the stored one, or the default.
    old_value: Mapped[Any] = mapped_column(sa.JSON)
    new_value: Mapped[Any] = mapped_column(sa.JSON)
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    changed_by: Mapped[User | None] = relationship()


class SettingHistoryIsAppendOnly(Exception):
    """Raised when code tries to change or delete a recorded setting change."""


@event.listens_for(SettingChange, "before_update")
@event.listens_for(SettingChange, "before_delete")
def _refuse_change(_mapper, _connection, target):
    raise SettingHistoryIsAppendOnly(f"setting change {target.id} cannot be changed")
