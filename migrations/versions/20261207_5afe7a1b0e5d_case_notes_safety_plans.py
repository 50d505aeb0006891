"""Case notes with the history of their corrections; the safety plan of a case.

Revision ID: 5afe7a1b0e5d
Revises: d0c5a11ac4ed
Create Date: 2026-12-07 02:05:00
"""
from alembic import op
import sqlalchemy as sa


revision = '5afe7a1b0e5d'
down_revision = 'd0c5a11ac4ed'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('case_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('dated_on', sa.Date(), nullable=False),
    sa.Column('visibility', sa.Enum('involved', 'own_agency', name='notevisibility', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('written_at', sa.DateTime(), nullable=False),
    sa.Column('edited_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_case_notes_agency_id_agencies')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_case_notes_author_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_notes_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_notes'))
    )
    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_notes_case_id'), ['case_id'], unique=False)

    op.create_table('case_note_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('note_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('superseded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_note_revisions_case_id_cases')),
    sa.ForeignKeyConstraint(['note_id'], ['case_notes.id'], name=op.f('fk_case_note_revisions_note_id_case_notes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_note_revisions'))
    )
    with op.batch_alter_table('case_note_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_note_revisions_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_note_revisions_note_id'), ['note_id'], unique=False)

    op.create_table('safety_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('safe_contacts', sa.Text(), nullable=True),
    sa.Column('safe_places', sa.Text(), nullable=True),
    sa.Column('signals', sa.Text(), nullable=True),
    sa.Column('documents_ready', sa.Text(), nullable=True),
    sa.Column('children', sa.Text(), nullable=True),
    sa.Column('review_on', sa.Date(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_safety_plans_case_id_cases')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_safety_plans_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safety_plans')),
    sa.UniqueConstraint('case_id', name=op.f('uq_safety_plans_case_id'))
    )
    with op.batch_alter_table('safety_plans', schema=None) as batch_op:
        batch_op.create_index('ix_safety_plans_review_on', ['review_on'], unique=False)


def downgrade():
    with op.batch_alter_table('safety_plans', schema=None) as batch_op:
        batch_op.drop_index('ix_safety_plans_review_on')

    op.drop_table('safety_plans')
    with op.batch_alter_table('case_note_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_note_revisions_note_id'))
        batch_op.drop_index(batch_op.f('ix_case_note_revisions_case_id'))

    op.drop_table('case_note_revisions')
    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_notes_case_id'))

    op.drop_table('case_notes')
