"""Four eyes on accounts an administrator creates or resets in a
case-handling agency: held until the agency head confirms them.

Revision ID: 9c4a1e7f3b28
Revises: 2b7e4c1d9a55
Create Date: 2026-12-07 01:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = '9c4a1e7f3b28'
down_revision = '2b7e4c1d9a55'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held_since', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('confirmed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_users_confirmed_by_id_users'), 'users',
                                    ['confirmed_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_confirmed_by_id_users'),
                                 type_='foreignkey')
        batch_op.drop_column('confirmed_at')
        batch_op.drop_column('confirmed_by_id')
        batch_op.drop_column('held_since')
