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


#: The revision that adds the court agency type, and the one before it.
COURTS, BEFORE_COURTS = "c0e7a5d31f84", "a7c41f9e2b05"


def _agency(connection, agency_id: int, agency_type: str) -> None:
    connection.execute(sa.text(
        "INSERT INTO agencies (id, code, name, type, territory_id, active) "
        "VALUES (:id, :code, 'X', :type, 1, :active)"),
        {"id": agency_id, "code": f"X-{agency_id}", "type": agency_type, "active": True})


def test_the_court_type_comes_and_goes_with_its_revision(empty_app):
    """Before it, the CHECK refuses a court; the upgrade keeps the rows that
    refer to the agencies (SQLite copies the table); the downgrade refuses
    while a court exists, and restores the CHECK once none does."""
    upgrade(revision=BEFORE_COURTS)
    with db.engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO territories (id, code, level, name_en, name_ru, name_ky, active) "
            "VALUES (1, '417', 'country', 'KG', 'KG', 'KG', :active)"), {"active": True})
        _agency(connection, 1, "police")
        connection.execute(sa.text(
            "INSERT INTO users (id, username, full_name, agency_id, role, active, "
            "password_hash, created_at) VALUES (1, 'u', 'U', 1, 'member', :active, 'x', "
            "CURRENT_TIMESTAMP)"), {"active": True})
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
        _agency(connection, 2, "court")

    upgrade()
    with db.engine.begin() as connection:
        _agency(connection, 2, "court")
        assert connection.execute(sa.text("SELECT agency_id FROM users")).scalar() == 1

    with pytest.raises(SystemExit):  # flask-migrate reports the refusal and exits
        downgrade(revision=BEFORE_COURTS)
    with db.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT version_num FROM alembic_version")
                                  ).scalar() == COURTS
        connection.execute(sa.text("DELETE FROM agencies WHERE type = 'court'"))
        connection.commit()
    downgrade(revision=BEFORE_COURTS)
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
        _agency(connection, 3, "court")
    with db.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM users")).scalar() == 1
