"""API clients (hashed tokens, scopes), the idempotency record of their POSTs,
and incoming hotline and police reports (the triage queue).

Revision ID: d4e5a1c0b718
Revises: d5e1a7c0b318
Create Date: 2026-12-07 01:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'd4e5a1c0b718'
down_revision = 'd5e1a7c0b318'
branch_labels = None
depends_on = None


def _enum(name, *values):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade():
    op.create_table('api_clients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('service_user_id', sa.Integer(), nullable=False),
    sa.Column('scopes', sa.String(length=200), nullable=False),
    sa.Column('token_prefix', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('rate_per_minute', sa.Integer(), server_default='120', nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_api_clients_agency_id_agencies')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_api_clients_created_by_id_users')),
    sa.ForeignKeyConstraint(['service_user_id'], ['users.id'], name=op.f('fk_api_clients_service_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_clients')),
    sa.UniqueConstraint('service_user_id', name=op.f('uq_api_clients_service_user_id')),
    sa.UniqueConstraint('token_prefix', name=op.f('uq_api_clients_token_prefix'))
    )
    with op.batch_alter_table('api_clients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_clients_agency_id'), ['agency_id'], unique=False)

    op.create_table('api_idempotency',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['api_clients.id'], name=op.f('fk_api_idempotency_client_id_api_clients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_idempotency')),
    sa.UniqueConstraint('client_id', 'key', name='uq_api_idempotency_client_id_key')
    )
    with op.batch_alter_table('api_idempotency', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_idempotency_created_at'), ['created_at'], unique=False)

    op.create_table('incoming_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', _enum('reportsource', '102', '112', '117', '111', 'other'), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('summary', sa.String(length=2000), nullable=False),
    sa.Column('caller_contact', sa.String(length=200), nullable=True),
    sa.Column('status', _enum('reportstatus', 'waiting', 'case_opened', 'attached', 'closed'), nullable=False),
    sa.Column('closing_reason', _enum('closingreason', 'not_family_violence', 'duplicate_call', 'false_report', 'outside_district', 'no_contact'), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('first_action_at', sa.DateTime(), nullable=True),
    sa.Column('first_action_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_incoming_reports_case_id_cases')),
    sa.ForeignKeyConstraint(['district_id'], ['territories.id'], name=op.f('fk_incoming_reports_district_id_territories')),
    sa.ForeignKeyConstraint(['first_action_by_id'], ['users.id'], name=op.f('fk_incoming_reports_first_action_by_id_users')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_incoming_reports_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incoming_reports'))
    )
    with op.batch_alter_table('incoming_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incoming_reports_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_incoming_reports_district_id_status_received_at', ['district_id', 'status', 'received_at'], unique=False)


def downgrade():
    with op.batch_alter_table('incoming_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_incoming_reports_district_id_status_received_at')
        batch_op.drop_index(batch_op.f('ix_incoming_reports_case_id'))
    op.drop_table('incoming_reports')
    with op.batch_alter_table('api_idempotency', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_idempotency_created_at'))
    op.drop_table('api_idempotency')
    with op.batch_alter_table('api_clients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_clients_agency_id'))
    op.drop_table('api_clients')
