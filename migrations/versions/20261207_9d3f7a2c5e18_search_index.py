"""Case search at national scale: FTS5 trigram table (SQLite), survivor codes' trigrams (PostgreSQL).

Revision ID: 9d3f7a2c5e18
Revises: 4b8e2f6a9c13
Create Date: 2026-12-07 16:35:00

SQLite: ``case_search`` (FTS5, trigram tokenizer), one row per case (rowid =
case id) holding its reference, survivor code and police numbers (``refs``)
and its people's folded names (``names``), kept by triggers on ``cases``,
``incidents`` and ``people`` (coordination/cases/search.py reads it).
PostgreSQL: the other parts already have GIN trigram indexes (5e4a1c9d2b7f);
the survivor code gets one too. ``pg_trgm`` is created when the server has
it; without it the index is a plain one and search still works, unindexed.
"""
from alembic import op
import sqlalchemy as sa

revision = '9d3f7a2c5e18'
down_revision = '4b8e2f6a9c13'
branch_labels = None
depends_on = None


#: (trigger, table, event, the expression of the case whose row is redone).
_TRIGGERS = (
    ('case_search_case_added', 'cases', 'INSERT', 'NEW.id'),
    ('case_search_case_changed', 'cases', 'UPDATE OF reference, survivor_code', 'NEW.id'),
    ('case_search_case_removed', 'cases', 'DELETE', 'OLD.id'),
    ('case_search_incident_added', 'incidents', 'INSERT', 'NEW.case_id'),
    ('case_search_incident_changed', 'incidents',
     'UPDATE OF crime_register_number, info_log_number, case_id', 'NEW.case_id'),
    ('case_search_incident_moved', 'incidents', 'UPDATE OF case_id', 'OLD.case_id'),
    ('case_search_incident_removed', 'incidents', 'DELETE', 'OLD.case_id'),
    ('case_search_person_added', 'people', 'INSERT', 'NEW.case_id'),
    ('case_search_person_changed', 'people', 'UPDATE OF name_key, case_id', 'NEW.case_id'),
    ('case_search_person_moved', 'people', 'UPDATE OF case_id', 'OLD.case_id'),
    ('case_search_person_removed', 'people', 'DELETE', 'OLD.case_id'),
)

#: A case's row: what search finds it by, one value a line (a LIKE pattern
#: never holds a line break, so no match spans two values).
_ROW = """
SELECT c.id,
       c.reference || char(10) || coalesce(c.survivor_code, '') || char(10) ||
       coalesce((SELECT group_concat(coalesce(i.crime_register_number, '') || char(10) ||
                                     coalesce(i.info_log_number, ''), char(10))
                 FROM incidents i WHERE i.case_id = c.id), ''),
       coalesce((SELECT group_concat(p.name_key, char(10)) FROM people p
                 WHERE p.case_id = c.id AND p.name_key IS NOT NULL), '')
FROM cases c
"""


def _refresh(case_id: str) -> str:
    return (f"DELETE FROM case_search WHERE rowid = {case_id}; "
            f"INSERT INTO case_search(rowid, refs, names) {_ROW} WHERE c.id = {case_id};")


def upgrade():
    connection = op.get_bind()
    if connection.dialect.name == 'sqlite':
        op.execute("CREATE VIRTUAL TABLE case_search USING fts5("
                   "refs, names, tokenize = 'trigram')")
        op.execute(f"INSERT INTO case_search(rowid, refs, names) {_ROW}")
        for name, table, event, case_id in _TRIGGERS:
            op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} "
                       f"BEGIN {_refresh(case_id)} END")
        op.create_index('ix_cases_survivor_code_trgm', 'cases', ['survivor_code'])
        return
    if connection.dialect.name == 'postgresql':
        available = connection.scalar(sa.text(
            "SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_trgm'"))
        if available:
            op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
            op.create_index('ix_cases_survivor_code_trgm', 'cases', ['survivor_code'],
                            postgresql_using='gin',
                            postgresql_ops={'survivor_code': 'gin_trgm_ops'})
            return
    op.create_index('ix_cases_survivor_code_trgm', 'cases', ['survivor_code'])


def downgrade():
    connection = op.get_bind()
    if connection.dialect.name == 'sqlite':
        for name, _table, _event, _case_id in reversed(_TRIGGERS):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS case_search")
    op.drop_index('ix_cases_survivor_code_trgm', table_name='cases')
