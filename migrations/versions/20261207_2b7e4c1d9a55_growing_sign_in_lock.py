"""Sign-in lock with a growing delay: the locks in a row since the last
successful sign-in.

Revision ID: 2b7e4c1d9a55
Revises: 8d3f6b2c9e10
Create Date: 2026-12-07 01:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '2b7e4c1d9a55'
down_revision = '8d3f6b2c9e10'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lockouts_in_a_row', sa.Integer(), server_default='0',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('lockouts_in_a_row')
