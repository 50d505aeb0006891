"""Administration: forced password change, session epoch, settings and their history.

Revision ID: 605a4a4a1144
Revises: 1a1fe223580e
Create Date: 2026-11-27 09:00:00
"""
from alembic import op
import sqlalchemy as sa

#: Like the audit log, the history of setting changes is append-only.
APPEND_ONLY_SQLITE = [
    """CREATE TRIGGER setting_changes_no_update BEFORE UPDATE ON setting_changes
       BEGIN SELECT RAISE(ABORT, 'setting_changes is append-only'); END""",
    """CREATE TRIGGER setting_changes_no_delete BEFORE DELETE ON setting_changes
       BEGIN SELECT RAISE(ABORT, 'setting_changes is append-only'); END""",
]
APPEND_ONLY_POSTGRESQL = [
    """CREATE FUNCTION setting_changes_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'setting_changes is append-only'; END $$""",
    """CREATE TRIGGER setting_changes_no_change BEFORE UPDATE OR DELETE ON setting_changes
       FOR EACH ROW EXECUTE FUNCTION setting_changes_append_only()""",
    """CREATE TRIGGER setting_changes_no_truncate BEFORE TRUNCATE ON setting_changes
       FOR EACH STATEMENT EXECUTE FUNCTION setting_changes_append_only()""",
]
def _dialect() -> str:
    return op.get_bind().dialect.name


revision = '605a4a4a1144'
down_revision = '1a1fe223580e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('setting_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('old_value', sa.JSON(), nullable=False),
    sa.Column('new_value', sa.JSON(), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_setting_changes_changed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_setting_changes'))
    )
    with op.batch_alter_table('setting_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_setting_changes_changed_at'), ['changed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_setting_changes_key'), ['key'], unique=False)
    for statement in {"sqlite": APPEND_ONLY_SQLITE,
                      "postgresql": APPEND_ONLY_POSTGRESQL}.get(_dialect(), []):
        op.execute(statement)

    op.create_table('settings',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_settings_updated_by_id_users')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_settings'))
    )
    # Not in batch mode: SQLite would copy and drop ``users`` for a column with
    # an expression default, which the foreign keys of a database with data
    # refuse. Both databases add a column with a default in place.
    op.add_column('users', sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('users', sa.Column('session_epoch', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    # In place too (SQLite 3.35 and later drop a plain column), for the same reason.
    op.drop_column('users', 'session_epoch')
    op.drop_column('users', 'must_change_password')

    op.drop_table('settings')
    with op.batch_alter_table('setting_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_setting_changes_key'))
        batch_op.drop_index(batch_op.f('ix_setting_changes_changed_at'))

    # Dropping the table drops its triggers too; PostgreSQL keeps the function.
    op.drop_table('setting_changes')
    if _dialect() == "postgresql":
        op.execute("DROP FUNCTION setting_changes_append_only()")
