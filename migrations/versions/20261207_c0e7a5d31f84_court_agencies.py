"""Court agencies: the agency type ``court`` (a court reads the status of
protection orders through its API client and works on no case).

The type is a VARCHAR with a CHECK (``coordination.models_base.enum_type``),
on the agencies and on the sharing consents: each CHECK is replaced.

Revision ID: c0e7a5d31f84
Revises: a7c41f9e2b05
Create Date: 2026-12-07 19:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c0e7a5d31f84'
down_revision = 'a7c41f9e2b05'
branch_labels = None
depends_on = None

BEFORE = ('committee', 'police', 'social', 'lsg', 'health', 'education', 'crisis_centre',
          'ministry')
AFTER = (*BEFORE, 'court')
#: (table, column) holding an agency type, each under the CHECK ``agencytype``.
COLUMNS = (('agencies', 'type'), ('consent_records', 'agency_type'))


def _allow(values):
    for table, column in COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint('agencytype', type_='check')
            batch_op.create_check_constraint('agencytype', sa.column(column).in_(values))


def upgrade():
    _allow(AFTER)


def downgrade():
    # The old CHECK cannot hold a court: say so rather than fail on the
    # constraint, and leave the operator to hand the courts' work over first.
    agencies = sa.table('agencies', sa.column('code', sa.String), sa.column('type', sa.String))
    courts = op.get_bind().execute(
        sa.select(agencies.c.code).where(agencies.c.type == 'court')).scalars().all()
    if courts:
        raise RuntimeError(
            "court agencies exist (" + ", ".join(sorted(courts)) + "): remove them, their "
            "users and their API clients before downgrading below revision c0e7a5d31f84")
    _allow(BEFORE)
