"""Transfers of a case to another district.

Revision ID: b37d0e5c9f12
Revises: 8c2f6d1e4a90
Create Date: 2026-12-07 02:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'b37d0e5c9f12'
down_revision = '8c2f6d1e4a90'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_transfers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('proposed', 'accepted', 'declined', 'cancelled', name='transferstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('from_district_id', sa.Integer(), nullable=False),
    sa.Column('from_municipality_id', sa.Integer(), nullable=True),
    sa.Column('from_lead_agency_id', sa.Integer(), nullable=False),
    sa.Column('to_district_id', sa.Integer(), nullable=False),
    sa.Column('to_lead_agency_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('decline_reason', sa.String(length=500), nullable=True),
    sa.Column('proposed_by_id', sa.Integer(), nullable=False),
    sa.Column('proposed_at', sa.DateTime(), nullable=False),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_case_transfers_answered_by_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_transfers_case_id_cases')),
    sa.ForeignKeyConstraint(['from_district_id'], ['territories.id'], name=op.f('fk_case_transfers_from_district_id_territories')),
    sa.ForeignKeyConstraint(['from_lead_agency_id'], ['agencies.id'], name=op.f('fk_case_transfers_from_lead_agency_id_agencies')),
    sa.ForeignKeyConstraint(['from_municipality_id'], ['territories.id'], name=op.f('fk_case_transfers_from_municipality_id_territories')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_case_transfers_proposed_by_id_users')),
    sa.ForeignKeyConstraint(['to_district_id'], ['territories.id'], name=op.f('fk_case_transfers_to_district_id_territories')),
    sa.ForeignKeyConstraint(['to_lead_agency_id'], ['agencies.id'], name=op.f('fk_case_transfers_to_lead_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_transfers'))
    )
    with op.batch_alter_table('case_transfers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_transfers_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_case_transfers_to_district_id_status', ['to_district_id', 'status'], unique=False)
        batch_op.create_index('ix_case_transfers_from_district_id_status_case_id', ['from_district_id', 'status', 'case_id'], unique=False)
        batch_op.create_index('ix_case_transfers_from_lead_agency_id_status_case_id', ['from_lead_agency_id', 'status', 'case_id'], unique=False)


def downgrade():
    with op.batch_alter_table('case_transfers', schema=None) as batch_op:
        batch_op.drop_index('ix_case_transfers_from_lead_agency_id_status_case_id')
        batch_op.drop_index('ix_case_transfers_from_district_id_status_case_id')
        batch_op.drop_index('ix_case_transfers_to_district_id_status')
        batch_op.drop_index(batch_op.f('ix_case_transfers_case_id'))
    op.drop_table('case_transfers')
