"""Risk assessments, protection orders and violations, correctional programmes; repeat cases

Revision ID: 3ab2c2dc8c52
Revises: b1cc0bdb6183
Create Date: 2026-11-26 23:23:09.508151
"""
from alembic import op
import sqlalchemy as sa


revision = '3ab2c2dc8c52'
down_revision = 'b1cc0bdb6183'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('correctional_programmes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('provider_agency_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('referred', 'started', 'completed', 'dropped_out', name='programmestatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('referred_at', sa.DateTime(), nullable=False),
    sa.Column('referred_by_id', sa.Integer(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_correctional_programmes_case_id_cases')),
    sa.ForeignKeyConstraint(['provider_agency_id'], ['agencies.id'], name=op.f('fk_correctional_programmes_provider_agency_id_agencies')),
    sa.ForeignKeyConstraint(['referred_by_id'], ['users.id'], name=op.f('fk_correctional_programmes_referred_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_correctional_programmes'))
    )
    with op.batch_alter_table('correctional_programmes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_correctional_programmes_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_correctional_programmes_provider_agency_id'), ['provider_agency_id'], unique=False)

    op.create_table('protection_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('temporary', 'court', name='orderkind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('issuing_agency_id', sa.Integer(), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('valid_until', sa.DateTime(), nullable=False),
    sa.Column('extended_at', sa.DateTime(), nullable=True),
    sa.Column('prohibits_violence', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('prohibits_contact', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('prohibits_stalking', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('prohibits_shared_home', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('prohibits_weapons', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('requires_programme', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('electronic_monitoring', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_protection_orders_case_id_cases')),
    sa.ForeignKeyConstraint(['issuing_agency_id'], ['agencies.id'], name=op.f('fk_protection_orders_issuing_agency_id_agencies')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_protection_orders_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_protection_orders'))
    )
    with op.batch_alter_table('protection_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_protection_orders_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_protection_orders_issuing_agency_id'), ['issuing_agency_id'], unique=False)
        batch_op.create_index('ix_protection_orders_valid_until', ['valid_until'], unique=False)

    op.create_table('risk_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('scored_level', sa.Enum('standard', 'medium', 'high', name='scoredlevel', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('level', sa.Enum('standard', 'medium', 'high', name='risklevel', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('raise_reason', sa.String(length=500), nullable=True),
    sa.Column('assessed_by_id', sa.Integer(), nullable=False),
    sa.Column('assessed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assessed_by_id'], ['users.id'], name=op.f('fk_risk_assessments_assessed_by_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_risk_assessments_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_assessments'))
    )
    with op.batch_alter_table('risk_assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_assessments_case_id'), ['case_id'], unique=False)

    op.create_table('order_violations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('follow_up_id', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['follow_up_id'], ['follow_ups.id'], name=op.f('fk_order_violations_follow_up_id_follow_ups')),
    sa.ForeignKeyConstraint(['order_id'], ['protection_orders.id'], name=op.f('fk_order_violations_order_id_protection_orders')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_order_violations_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_violations'))
    )
    with op.batch_alter_table('order_violations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_violations_order_id'), ['order_id'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_repeat', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('is_repeat')

    with op.batch_alter_table('order_violations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_violations_order_id'))

    op.drop_table('order_violations')
    with op.batch_alter_table('risk_assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_assessments_case_id'))

    op.drop_table('risk_assessments')
    with op.batch_alter_table('protection_orders', schema=None) as batch_op:
        batch_op.drop_index('ix_protection_orders_valid_until')
        batch_op.drop_index(batch_op.f('ix_protection_orders_issuing_agency_id'))
        batch_op.drop_index(batch_op.f('ix_protection_orders_case_id'))

    op.drop_table('protection_orders')
    with op.batch_alter_table('correctional_programmes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_correctional_programmes_provider_agency_id'))
        batch_op.drop_index(batch_op.f('ix_correctional_programmes_case_id'))

    op.drop_table('correctional_programmes')
