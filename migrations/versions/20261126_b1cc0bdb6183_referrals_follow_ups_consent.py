"""Referrals, follow-ups and consent records; timeline events name the other agency.

Revision ID: b1cc0bdb6183
Revises: 7497c78af2f1
Create Date: 2026-11-26 23:06:49.995052
"""
from alembic import op
import sqlalchemy as sa


revision = 'b1cc0bdb6183'
down_revision = '7497c78af2f1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('consent_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.Enum('sharing', 'statistics', name='consentscope', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('agency_type', sa.Enum('committee', 'police', 'social', 'lsg', 'health', 'education', 'crisis_centre', 'ministry', name='agencytype', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_consent_records_case_id_cases')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_consent_records_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['users.id'], name=op.f('fk_consent_records_withdrawn_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_records'))
    )
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.create_index('ix_consent_records_case_id_scope', ['case_id', 'scope'], unique=False)

    op.create_table('follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=300), nullable=False),
    sa.Column('owner_agency_id', sa.Integer(), nullable=False),
    sa.Column('owner_user_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('open', 'done', 'cancelled', name='followupstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('closing_note', sa.String(length=500), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_follow_ups_case_id_cases')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_follow_ups_closed_by_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_follow_ups_created_by_id_users')),
    sa.ForeignKeyConstraint(['owner_agency_id'], ['agencies.id'], name=op.f('fk_follow_ups_owner_agency_id_agencies')),
    sa.ForeignKeyConstraint(['owner_user_id'], ['users.id'], name=op.f('fk_follow_ups_owner_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_ups'))
    )
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_ups_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_follow_ups_owner_agency_id_status_due_on', ['owner_agency_id', 'status', 'due_on'], unique=False)

    op.create_table('referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('from_agency_id', sa.Integer(), nullable=False),
    sa.Column('to_agency_id', sa.Integer(), nullable=False),
    sa.Column('service', sa.Enum('shelter', 'medical', 'psychological', 'legal_aid', 'police_protection', 'social_benefit', 'correctional_programme', 'other', name='referralservice', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('priority', sa.Enum('urgent', 'high', 'normal', name='priority', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('sent', 'accepted', 'declined', 'in_progress', 'completed', 'cancelled', 'revoked', name='referralstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('legal_ground', sa.Enum('danger_to_life', 'child_at_risk', name='legalground', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('sent_by_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.Column('respond_by', sa.DateTime(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('decline_reason', sa.String(length=500), nullable=True),
    sa.Column('outcome', sa.String(length=500), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_referrals_answered_by_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_referrals_case_id_cases')),
    sa.ForeignKeyConstraint(['from_agency_id'], ['agencies.id'], name=op.f('fk_referrals_from_agency_id_agencies')),
    sa.ForeignKeyConstraint(['sent_by_id'], ['users.id'], name=op.f('fk_referrals_sent_by_id_users')),
    sa.ForeignKeyConstraint(['to_agency_id'], ['agencies.id'], name=op.f('fk_referrals_to_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals'))
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referrals_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_referrals_from_agency_id_status', ['from_agency_id', 'status'], unique=False)
        batch_op.create_index('ix_referrals_to_agency_id_status', ['to_agency_id', 'status'], unique=False)

    with op.batch_alter_table('timeline_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('related_agency_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_timeline_events_related_agency_id_agencies'), 'agencies', ['related_agency_id'], ['id'])



def downgrade():
    with op.batch_alter_table('timeline_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_timeline_events_related_agency_id_agencies'), type_='foreignkey')
        batch_op.drop_column('related_agency_id')

    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index('ix_referrals_to_agency_id_status')
        batch_op.drop_index('ix_referrals_from_agency_id_status')
        batch_op.drop_index(batch_op.f('ix_referrals_case_id'))

    op.drop_table('referrals')
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_index('ix_follow_ups_owner_agency_id_status_due_on')
        batch_op.drop_index(batch_op.f('ix_follow_ups_case_id'))

    op.drop_table('follow_ups')
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.drop_index('ix_consent_records_case_id_scope')

    op.drop_table('consent_records')
