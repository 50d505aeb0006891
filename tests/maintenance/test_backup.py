"""``flask backup`` / ``flask restore``: a round trip keeps every row."""
from __future__ import annotations

import shutil

import pytest
import sqlalchemy as sa

from coordination.extensions import db
from coordination.maintenance import backup
from tests import databases
from tests.conftest import separate_app


def _needs_pg_tools():
    if databases.backend_name() == "postgresql" and not (
            shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump/pg_restore are not installed on this machine")


def test_backup_and_restore_keep_every_row(app, tmp_path):
    _needs_pg_tools()
    source = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    path = tmp_path / "backup.bin"
    try:
        backup.backup(source, path)
        assert path.stat().st_size > 0
        with databases.scratch_database(tmp_path) as url:
            target = sa.create_engine(url)
            try:
                assert backup.is_empty(target)
                backup.restore(target, path)
                restored = backup.table_rows(target)
                original = backup.table_rows(source)
                assert restored == original
                assert "alembic_version" in restored and len(restored["cases"]) > 100
                with pytest.raises(backup.BackupError, match="not empty"):
                    backup.restore(target, path)  # never over data
            finally:
                target.dispose()
    finally:
        source.dispose()


def test_backup_refuses_to_overwrite_a_file(app, tmp_path):
    path = tmp_path / "existing"
    path.write_text("keep me")
    with pytest.raises(backup.BackupError, match="exists"):
        backup.backup(db.engine, path)
    assert path.read_text() == "keep me"


def test_restore_command_refuses_a_database_with_data(tmp_path):
    path = tmp_path / "any.bin"
    path.write_bytes(b"not a backup")
    # Its own database: the suite's is held by the test's open transaction.
    with separate_app(tmp_path) as other:
        with db.engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE kept (x INTEGER)")
        result = other.test_cli_runner().invoke(args=["restore", str(path)])
        assert result.exit_code != 0
        assert "not empty" in result.output
        assert sa.inspect(db.engine).get_table_names() == ["kept"]


@pytest.mark.skipif(databases.backend_name() != "sqlite", reason="SQLite file check")
def test_restore_refuses_a_file_that_is_no_backup(tmp_path):
    path = tmp_path / "junk.bin"
    path.write_bytes(b"junk" * 100)
    target = sa.create_engine(f"sqlite:///{tmp_path / 'new.sqlite3'}")
    try:
        with pytest.raises(backup.BackupError, match="not a SQLite backup"):
            backup.restore(target, path)
    finally:
        target.dispose()
