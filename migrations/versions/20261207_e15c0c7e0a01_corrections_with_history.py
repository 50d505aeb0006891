"""Corrections with history (issue 15): people and incidents carry a version
(lost updates refused), a timeline event its detail (the old and new values of
a correction, seen with the case), an audit event the names of the fields.

Revision ID: e15c0c7e0a01
Revises: d41a7b2e6c38
Create Date: 2026-12-07 02:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'e15c0c7e0a01'
down_revision = 'd41a7b2e6c38'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    with op.batch_alter_table('timeline_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('detail', sa.Text(), nullable=True))
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fields', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_column('fields')
    with op.batch_alter_table('timeline_events', schema=None) as batch_op:
        batch_op.drop_column('detail')
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_column('version')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('version')
