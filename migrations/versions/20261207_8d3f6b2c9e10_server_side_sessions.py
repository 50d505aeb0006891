"""Server-side sessions: one row per signed-in session, checked on every
request; ending it (sign-out, password change, deactivation, revocation)
makes a copied cookie useless.

Revision ID: 8d3f6b2c9e10
Revises: 5e1c0a7d2b41
Create Date: 2026-12-07 01:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '8d3f6b2c9e10'
down_revision = '5e1c0a7d2b41'
branch_labels = None
depends_on = None

REASONS = ('signed_out', 'password_changed', 'credentials_changed', 'deactivated', 'revoked',
           'idle', 'expired')


def upgrade():
    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('end_reason', sa.Enum(*REASONS, name='sessionend', native_enum=False,
                                    create_constraint=True, length=32), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_sessions_token_hash'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_sessions_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_sessions_user_id'))
    op.drop_table('user_sessions')
