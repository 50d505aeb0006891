"""The referral directory: each agency's services, phone, address, hours and languages.

Revision ID: 8c2f6d1e4a90
Revises: 5e4a1c9d2b7f
Create Date: 2026-12-07 02:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '8c2f6d1e4a90'
down_revision = '5e4a1c9d2b7f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('services', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('phone', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('address', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('hours', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('languages', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_column('languages')
        batch_op.drop_column('hours')
        batch_op.drop_column('address')
        batch_op.drop_column('phone')
        batch_op.drop_column('services')
