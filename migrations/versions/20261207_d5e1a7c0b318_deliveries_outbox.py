"""Deliveries: the outbox table; staff e-mail and phone; a survivor's safe
phone; consent to content-free messages.

Revision ID: d5e1a7c0b318
Revises: e15c0c7e0a01
Create Date: 2026-12-07 01:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'd5e1a7c0b318'
down_revision = 'e15c0c7e0a01'
branch_labels = None
depends_on = None


def _scope(*values):
    return sa.Enum(*values, name='consentscope', native_enum=False, create_constraint=True,
                   length=32)


OLD_SCOPES = ('sharing', 'statistics')
NEW_SCOPES = ('sharing', 'statistics', 'safe_contact')


def upgrade():
    op.create_table('deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('email', 'sms', 'webhook', name='channel', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('pending', 'sent', 'dead', 'discarded', name='deliverystatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('recipient_user_id', sa.Integer(), nullable=True),
    sa.Column('recipient_person_id', sa.Integer(), nullable=True),
    sa.Column('webhook_target', sa.String(length=64), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('last_error', sa.String(length=120), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('changed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['recipient_person_id'], ['people.id'], name=op.f('fk_deliveries_recipient_person_id_people')),
    sa.ForeignKeyConstraint(['recipient_user_id'], ['users.id'], name=op.f('fk_deliveries_recipient_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliveries'))
    )
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.create_index('ix_deliveries_status_next_attempt_at', ['status', 'next_attempt_at'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('phone', sa.String(length=40), nullable=True))

    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('safe_phone', sa.String(length=40), nullable=True))

    # The CHECK of the scope column gains the new value.
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.alter_column('scope', existing_type=_scope(*OLD_SCOPES),
                              type_=_scope(*NEW_SCOPES), existing_nullable=False)


def downgrade():
    consent = sa.table('consent_records', sa.column('scope', sa.String))
    op.execute(consent.delete().where(consent.c.scope == 'safe_contact'))
    with op.batch_alter_table('consent_records', schema=None) as batch_op:
        batch_op.alter_column('scope', existing_type=_scope(*NEW_SCOPES),
                              type_=_scope(*OLD_SCOPES), existing_nullable=False)

    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('safe_phone')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('phone')
        batch_op.drop_column('email')

    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_deliveries_status_next_attempt_at')

    op.drop_table('deliveries')
