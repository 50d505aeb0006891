"""Documents attached to cases (the bytes are in the document store); the audit's events by object.

Revision ID: d0c5a11ac4ed
Revises: d19c0c4ec002
Create Date: 2026-12-07 01:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'd0c5a11ac4ed'
down_revision = 'd19c0c4ec002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('certificate', 'consent_form', 'order', 'court_decision', 'other', name='documentkind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('media_type', sa.Enum('application/pdf', 'image/jpeg', 'image/png', name='mediatype', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_case_documents_agency_id_agencies')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_documents_case_id_cases')),
    sa.ForeignKeyConstraint(['order_id'], ['protection_orders.id'], name=op.f('fk_case_documents_order_id_protection_orders')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_case_documents_person_id_people')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_case_documents_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_documents')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_case_documents_stored_name'))
    )
    with op.batch_alter_table('case_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_documents_case_id'), ['case_id'], unique=False)
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_object_type_object_id_at',
                              ['object_type', 'object_id', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_object_type_object_id_at')
    with op.batch_alter_table('case_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_documents_case_id'))

    op.drop_table('case_documents')
