"""The follow-ups of committee meetings: a partial index (meeting_id IS NOT
NULL) instead of a full one whose statistics, one NULL value for nearly every
row, made the planners pass it over for a committee's decisions.

Revision ID: c6a1d9e3f207
Revises: b8d2e6f4a913
Create Date: 2026-12-07 05:05:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c6a1d9e3f207'
down_revision = 'b8d2e6f4a913'
branch_labels = None
depends_on = None

_DECIDED = sa.text("meeting_id IS NOT NULL")


def upgrade():
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_index('ix_follow_ups_meeting_id')
        batch_op.create_index('ix_follow_ups_meeting_id', ['meeting_id'], unique=False,
                              sqlite_where=_DECIDED, postgresql_where=_DECIDED)


def downgrade():
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_index('ix_follow_ups_meeting_id')
        batch_op.create_index('ix_follow_ups_meeting_id', ['meeting_id'], unique=False)
