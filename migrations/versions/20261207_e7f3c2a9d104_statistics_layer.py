"""The statistics layer: anonymized statistical records with secret record keys,
and their pre-aggregated counts (kept as deltas, folded by a rebuild).

The table starts empty; ``flask statistics rebuild`` fills it from the case
records (``make run`` does so when it is empty), and every later change keeps
it current.

Revision ID: e7f3c2a9d104
Revises: f3a9c2d1b604
Create Date: 2026-12-07 04:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'e7f3c2a9d104'
down_revision = 'f3a9c2d1b604'
branch_labels = None
depends_on = None

_CODES = (('sex', 24), ('age_band', 24), ('relationship', 24), ('perpetrator_sex', 24),
          ('form', 24), ('agency_type', 24), ('service', 24), ('outcome', 32), ('risk', 24),
          ('reporter', 24), ('repeat', 1), ('in_time', 1), ('intimate', 1), ('monitored', 1),
          ('lag', 8))


def upgrade():
    op.create_table(
        'statistical_records',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit', sa.String(length=16), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('source_id', sa.Integer(), nullable=False),
        sa.Column('record_key', sa.BigInteger(), nullable=False),
        sa.Column('month', sa.Integer(), nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=False),
        sa.Column('district_id', sa.Integer(), nullable=False),
        *(sa.Column(name, sa.String(length=length), server_default='', nullable=False)
          for name, length in _CODES),
        sa.Column('tenths', sa.Integer(), server_default='-1', nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_statistical_records')),
    )
    with op.batch_alter_table('statistical_records', schema=None) as batch_op:
        batch_op.create_index('ix_statistical_records_unit_month',
                              ['unit', 'month', 'region_id'], unique=False)
        batch_op.create_index('ix_statistical_records_case', ['case_id'], unique=False)
    op.create_table(
        'statistical_aggregates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('grouping', sa.String(length=64), nullable=False),
        sa.Column('month', sa.Integer(), nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=False),
        sa.Column('district_id', sa.Integer(), nullable=False),
        *(sa.Column(name, sa.String(length=32), server_default='', nullable=False)
          for name in ('a', 'b', 'c')),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.Column('key_sum', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_statistical_aggregates')),
    )
    with op.batch_alter_table('statistical_aggregates', schema=None) as batch_op:
        batch_op.create_index('ix_statistical_aggregates_place',
                              ['grouping', 'district_id', 'region_id', 'month', 'a', 'b', 'c',
                               'n', 'key_sum'], unique=False)
        batch_op.create_index('ix_statistical_aggregates_region',
                              ['grouping', 'region_id', 'month'], unique=False)


def downgrade():
    with op.batch_alter_table('statistical_aggregates', schema=None) as batch_op:
        batch_op.drop_index('ix_statistical_aggregates_region')
        batch_op.drop_index('ix_statistical_aggregates_place')
    op.drop_table('statistical_aggregates')
    with op.batch_alter_table('statistical_records', schema=None) as batch_op:
        batch_op.drop_index('ix_statistical_records_case')
        batch_op.drop_index('ix_statistical_records_unit_month')
    op.drop_table('statistical_records')
