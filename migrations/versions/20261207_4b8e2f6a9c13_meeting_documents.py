"""Documents attached to committee meetings (the bytes are in the document store).

Revision ID: 4b8e2f6a9c13
Revises: a7c3e9b15d42
Create Date: 2026-12-07 16:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '4b8e2f6a9c13'
down_revision = 'a7c3e9b15d42'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('meeting_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('certificate', 'consent_form', 'order', 'court_decision', 'other', name='documentkind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('media_type', sa.Enum('application/pdf', 'image/jpeg', 'image/png', name='mediatype', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_meeting_documents_agency_id_agencies')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_documents_meeting_id_meetings')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_meeting_documents_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_documents')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_meeting_documents_stored_name'))
    )
    with op.batch_alter_table('meeting_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_documents_meeting_id'), ['meeting_id'], unique=False)


def downgrade():
    with op.batch_alter_table('meeting_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_documents_meeting_id'))
    op.drop_table('meeting_documents')
