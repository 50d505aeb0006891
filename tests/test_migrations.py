"""The schema comes only from Alembic revisions, and they match the models."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from coordination.cases.search import DATABASE_ONLY_TABLES
from coordination.extensions import db
from tests.conftest import separate_app


@pytest.fixture
def empty_app(tmp_path):
    with separate_app(tmp_path) as app:
        yield app


def _differences():
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True,
                              "include_name": lambda name, type_, _parents: not (
                                  type_ == "table" and name in DATABASE_ONLY_TABLES)}
        )
        return compare_metadata(context, db.metadata)


def _tables() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"} \
        - DATABASE_ONLY_TABLES


def test_upgrade_downgrade_upgrade_and_models_agree(empty_app):
    upgrade()
    assert _tables() == set(db.metadata.tables)
    assert _differences() == []

    downgrade(revision="base")
    assert _tables() == set()

    upgrade()
    assert _tables() == set(db.metadata.tables)
    assert _differences() == []


def test_audit_log_is_append_only_in_the_database(empty_app):
    upgrade()
    with db.engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO audit_events (at, action) VALUES "
                                   "(CURRENT_TIMESTAMP, 'logout')"))
    for statement in ("UPDATE audit_events SET action = 'login_failed'",
                      "DELETE FROM audit_events"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            with db.engine.begin() as connection:
                connection.execute(sa.text(statement))
    with db.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT action FROM audit_events")).scalars().all() == [
            "logout"
        ]
