"""Checks of protection orders (chained records) and extension requests (issue 19).

Revision ID: d19c0c4ec001
Revises: 9c4a1e7f3b28
Create Date: 2026-12-07 01:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'd19c0c4ec001'
down_revision = '9c4a1e7f3b28'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('order_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('checked_by_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.Enum('visit', 'call', 'came_in', 'other', name='checkmethod', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('outcome', sa.Enum('kept', 'breach', 'not_reached', 'wants_extension', 'wants_court', name='checkoutcome', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('note', sa.String(length=500), server_default='', nullable=False),
    sa.Column('stated_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=True),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.Column('previous_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['checked_by_id'], ['users.id'], name=op.f('fk_order_checks_checked_by_id_users')),
    sa.ForeignKeyConstraint(['corrects_id'], ['order_checks.id'], name=op.f('fk_order_checks_corrects_id_order_checks')),
    sa.ForeignKeyConstraint(['order_id'], ['protection_orders.id'], name=op.f('fk_order_checks_order_id_protection_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_checks')),
    sa.UniqueConstraint('order_id', 'sequence', name=op.f('uq_order_checks_order_id_sequence'))
    )
    with op.batch_alter_table('order_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_checks_order_id'), ['order_id'], unique=False)

    op.create_table('order_extension_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('check_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('answer', sa.Enum('granted', 'refused', name='extensionanswer', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_order_extension_requests_answered_by_id_users')),
    sa.ForeignKeyConstraint(['check_id'], ['order_checks.id'], name=op.f('fk_order_extension_requests_check_id_order_checks')),
    sa.ForeignKeyConstraint(['order_id'], ['protection_orders.id'], name=op.f('fk_order_extension_requests_order_id_protection_orders')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_order_extension_requests_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_extension_requests'))
    )
    with op.batch_alter_table('order_extension_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_extension_requests_order_id'), ['order_id'], unique=False)


def downgrade():
    with op.batch_alter_table('order_extension_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_extension_requests_order_id'))
    op.drop_table('order_extension_requests')
    with op.batch_alter_table('order_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_checks_order_id'))
    op.drop_table('order_checks')
