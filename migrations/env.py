"""Alembic environment: runs against the Flask app's database and metadata."""
from __future__ import annotations

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

config = context.config
if config.config_file_name is not None and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

db = current_app.extensions["migrate"].db
target_metadata = db.metadata


def _include_name(name, type_, parent_names) -> bool:
    """Leave SQLite's FTS5 search table (made by its migration, not by the
    models) out of autogenerate's comparison, which would drop it."""
    from coordination.cases.search import DATABASE_ONLY_TABLES

    return not (type_ == "table" and name in DATABASE_ONLY_TABLES)


def _options(url_or_connection) -> dict:
    is_sqlite = str(db.engine.url).startswith("sqlite")
    return {
        "target_metadata": target_metadata,
        "compare_type": True,
        "compare_server_default": False,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        "render_as_batch": is_sqlite,
        "include_name": _include_name,
    }


def run_migrations_offline() -> None:
    context.configure(url=str(db.engine.url), literal_binds=True, **_options(None))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite changes a table by copying it and dropping the old one,
            # which the references to it would refuse. Its own procedure for
            # that: references off outside the transaction (on the driver's
            # connection: SQLAlchemy's would begin one), checked before the
            # commit, on again for the pooled connection.
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            context.configure(connection=connection, **_options(connection))
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"the migration left broken references: {broken}")
        finally:
            if sqlite:
                connection.rollback()  # nothing left open: the pragma applies
                connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
