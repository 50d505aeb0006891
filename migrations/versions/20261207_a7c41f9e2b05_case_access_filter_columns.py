"""The case list's filters on the case-access rows: copies of the case's
status, risk level and district on each (agency, case) row, with one index
per filter in the list's order (agency, value, registration, case), so that a
filtered page and its capped count are read from the agency's rows alone.

The copies are filled from the cases here; afterwards
``coordination.visibility.index.refresh`` writes them with the rows, in the
transaction that changes the case.

Revision ID: a7c41f9e2b05
Revises: 9d3f7a2c5e18
Create Date: 2026-12-07 16:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'a7c41f9e2b05'
down_revision = '9d3f7a2c5e18'
branch_labels = None
depends_on = None

_STATUS = sa.Enum('open', 'active', 'monitoring', 'closed', name='case_access_status',
                  native_enum=False, create_constraint=False, length=32)
_RISK = sa.Enum('standard', 'medium', 'high', name='case_access_risk',
                native_enum=False, create_constraint=False, length=32)


def upgrade():
    with op.batch_alter_table('case_access', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', _STATUS, nullable=True))
        batch_op.add_column(sa.Column('risk_level', _RISK, nullable=True))
        batch_op.add_column(sa.Column('district_id', sa.Integer(), nullable=True))
    # Existing rows take their case's values (one pass; rows of a deleted
    # case cannot exist: the rows are redone with every case change).
    op.execute(
        "UPDATE case_access SET "
        "status = (SELECT cases.status FROM cases WHERE cases.id = case_access.case_id), "
        "risk_level = (SELECT cases.risk_level FROM cases WHERE cases.id = case_access.case_id), "
        "district_id = (SELECT cases.district_id FROM cases "
        "WHERE cases.id = case_access.case_id)")
    with op.batch_alter_table('case_access', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=_STATUS, nullable=False)
        batch_op.alter_column('district_id', existing_type=sa.Integer(), nullable=False)
        # Each filter's index carries the other filter after the key (the
        # order stays the list's): both filters, or the home page's high-risk
        # cases not closed, are read from the index alone.
        batch_op.create_index('ix_case_access_agency_status_newest',
                              ['agency_id', 'status', 'created_at', 'case_id', 'risk_level'],
                              unique=False)
        batch_op.create_index('ix_case_access_agency_risk_newest',
                              ['agency_id', 'risk_level', 'created_at', 'case_id', 'status'],
                              unique=False)
        batch_op.create_index('ix_case_access_agency_district_newest',
                              ['agency_id', 'district_id', 'created_at', 'case_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('case_access', schema=None) as batch_op:
        batch_op.drop_index('ix_case_access_agency_district_newest')
        batch_op.drop_index('ix_case_access_agency_risk_newest')
        batch_op.drop_index('ix_case_access_agency_status_newest')
        batch_op.drop_column('district_id')
        batch_op.drop_column('risk_level')
        batch_op.drop_column('status')
