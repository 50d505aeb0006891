"""Indexes for the lists, the inboxes and the access policy at national scale.

The access policy collects an agency's cases from indexes led by the agency
that also hold the case id (referrals, follow-ups, programmes, orders); the
audit viewer's filters each get an index ending in the time. See
docs/PERFORMANCE.md, "Queries and indexes".

Revision ID: a545ac7666e6
Revises: c38a283ceaa3
Create Date: 2026-11-27 01:20:20.315554
"""
from alembic import op
import sqlalchemy as sa


revision = 'a545ac7666e6'
down_revision = 'c38a283ceaa3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_action'))
        batch_op.drop_index(batch_op.f('ix_audit_events_user_id'))
        batch_op.create_index('ix_audit_events_action_at', ['action', 'at'], unique=False)
        batch_op.create_index('ix_audit_events_agency_id_at', ['agency_id', 'at'], unique=False)
        batch_op.create_index('ix_audit_events_user_id_at', ['user_id', 'at'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_district_id_created_at')
        batch_op.drop_index('ix_cases_lead_agency_id_created_at')
        batch_op.drop_index('ix_cases_opening_agency_id_created_at')
        batch_op.create_index('ix_cases_district_id_created_at_id', ['district_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_cases_lead_agency_id_created_at_id', ['lead_agency_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_cases_opening_agency_id_created_at_id', ['opening_agency_id', 'created_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_municipality_id'), ['municipality_id'], unique=False)

    with op.batch_alter_table('correctional_programmes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_correctional_programmes_provider_agency_id'))
        batch_op.create_index('ix_correctional_programmes_provider_agency_id_case_id', ['provider_agency_id', 'case_id'], unique=False)

    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.create_index('ix_follow_ups_owner_agency_id_case_id', ['owner_agency_id', 'case_id'], unique=False)

    with op.batch_alter_table('notification_reads', schema=None) as batch_op:
        batch_op.create_index('ix_notification_reads_user_id_notification_id', ['user_id', 'notification_id'], unique=False)

    with op.batch_alter_table('protection_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_protection_orders_issuing_agency_id'))
        batch_op.create_index('ix_protection_orders_issuing_agency_id_case_id', ['issuing_agency_id', 'case_id'], unique=False)

    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referrals_from_agency_id_status'))
        batch_op.drop_index(batch_op.f('ix_referrals_to_agency_id_status'))
        batch_op.create_index('ix_referrals_from_agency_id_status_case_id', ['from_agency_id', 'status', 'case_id'], unique=False)
        batch_op.create_index('ix_referrals_to_agency_id_status_case_id', ['to_agency_id', 'status', 'case_id'], unique=False)


def downgrade():
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index('ix_referrals_to_agency_id_status_case_id')
        batch_op.drop_index('ix_referrals_from_agency_id_status_case_id')
        batch_op.create_index(batch_op.f('ix_referrals_to_agency_id_status'), ['to_agency_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_from_agency_id_status'), ['from_agency_id', 'status'], unique=False)

    with op.batch_alter_table('protection_orders', schema=None) as batch_op:
        batch_op.drop_index('ix_protection_orders_issuing_agency_id_case_id')
        batch_op.create_index(batch_op.f('ix_protection_orders_issuing_agency_id'), ['issuing_agency_id'], unique=False)

    with op.batch_alter_table('notification_reads', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_reads_user_id_notification_id')

    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_index('ix_follow_ups_owner_agency_id_case_id')

    with op.batch_alter_table('correctional_programmes', schema=None) as batch_op:
        batch_op.drop_index('ix_correctional_programmes_provider_agency_id_case_id')
        batch_op.create_index(batch_op.f('ix_correctional_programmes_provider_agency_id'), ['provider_agency_id'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_municipality_id'))
        batch_op.drop_index('ix_cases_opening_agency_id_created_at_id')
        batch_op.drop_index('ix_cases_lead_agency_id_created_at_id')
        batch_op.drop_index('ix_cases_district_id_created_at_id')
        batch_op.create_index('ix_cases_opening_agency_id_created_at', ['opening_agency_id', 'created_at'], unique=False)
        batch_op.create_index('ix_cases_lead_agency_id_created_at', ['lead_agency_id', 'created_at'], unique=False)
        batch_op.create_index('ix_cases_district_id_created_at', ['district_id', 'created_at'], unique=False)

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_user_id_at')
        batch_op.drop_index('ix_audit_events_agency_id_at')
        batch_op.drop_index('ix_audit_events_action_at')
        batch_op.create_index(batch_op.f('ix_audit_events_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_action'), ['action'], unique=False)
