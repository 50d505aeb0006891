"""Order checks: the SHA-256 of the note beside it (the chain hashes the digest,
so retention can clear the note).

Revision ID: d19c0c4ec002
Revises: d19c0c4ec001
Create Date: 2026-12-07 02:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'd19c0c4ec002'
down_revision = 'd19c0c4ec001'
branch_labels = None
depends_on = None


def upgrade():
    # Existing records keep NULL: their chain hashes the note itself.
    with op.batch_alter_table('order_checks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note_sha256', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('order_checks', schema=None) as batch_op:
        batch_op.drop_column('note_sha256')
