"""Case search and the duplicate guard: folded name keys, trigram indexes.

Revision ID: 5e4a1c9d2b7f
Revises: 5afe7a1b0e5d
Create Date: 2026-12-07 01:50:00
"""
from alembic import op
import sqlalchemy as sa

from coordination.cases.folding import name_key


revision = '5e4a1c9d2b7f'
down_revision = '5afe7a1b0e5d'
branch_labels = None
depends_on = None

_people = sa.table(
    'people',
    sa.column('id', sa.Integer), sa.column('last_name', sa.String),
    sa.column('first_name', sa.String), sa.column('patronymic', sa.String),
    sa.column('name_key', sa.String),
)

#: (table, index, column): searched by any part, trigram-indexed on PostgreSQL.
_TRIGRAM = (
    ('cases', 'ix_cases_reference_trgm', 'reference'),
    ('people', 'ix_people_name_key_trgm', 'name_key'),
    ('incidents', 'ix_incidents_crime_register_number_trgm', 'crime_register_number'),
    ('incidents', 'ix_incidents_info_log_number_trgm', 'info_log_number'),
)


def _fill_name_keys(connection) -> None:
    """Fold the names already stored (in batches: a national database is large)."""
    last = 0
    while True:
        rows = connection.execute(
            sa.select(_people.c.id, _people.c.last_name, _people.c.first_name,
                      _people.c.patronymic)
            .where(_people.c.id > last).order_by(_people.c.id).limit(5000)
        ).all()
        if not rows:
            return
        connection.execute(
            _people.update().where(_people.c.id == sa.bindparam('row_id'))
            .values(name_key=sa.bindparam('key')),
            [{'row_id': row.id, 'key': name_key(row.last_name, row.first_name, row.patronymic)
              or None} for row in rows],
        )
        last = rows[-1].id


def upgrade():
    connection = op.get_bind()
    # pg_trgm when the server has it (it ships with PostgreSQL's contrib);
    # without it the indexes below are plain ones and search scans.
    trigrams = connection.dialect.name == 'postgresql' and bool(connection.scalar(sa.text(
        "SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_trgm'")))
    if trigrams:
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=310), nullable=True))
    _fill_name_keys(connection)
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.create_index('ix_people_birth_year_name_key', ['birth_year', 'name_key'],
                              unique=False)
    for table, index, column in _TRIGRAM:
        gin = {'postgresql_using': 'gin', 'postgresql_ops': {column: 'gin_trgm_ops'}} \
            if trigrams else {}
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(index, [column], unique=False, **gin)


def downgrade():
    for table, index, _column in reversed(_TRIGRAM):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(index)
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index('ix_people_birth_year_name_key')
        batch_op.drop_column('name_key')
    # The pg_trgm extension stays: other databases on the server may use it.
