"""Who sees which case, as rows (agency, case, registration time): the lists'
index. The table starts empty; ``flask visibility rebuild`` fills it from the
case records (``make run`` does so when it is empty), and every later change
keeps it current.

Revision ID: b8d2e6f4a913
Revises: e7f3c2a9d104
Create Date: 2026-12-07 05:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'b8d2e6f4a913'
down_revision = 'e7f3c2a9d104'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'case_access',
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('agency_id', 'case_id', name=op.f('pk_case_access')),
    )
    with op.batch_alter_table('case_access', schema=None) as batch_op:
        batch_op.create_index('ix_case_access_agency_newest',
                              ['agency_id', 'created_at', 'case_id'], unique=False)
        batch_op.create_index('ix_case_access_case', ['case_id'], unique=False)


def downgrade():
    with op.batch_alter_table('case_access', schema=None) as batch_op:
        batch_op.drop_index('ix_case_access_case')
        batch_op.drop_index('ix_case_access_agency_newest')
    op.drop_table('case_access')
