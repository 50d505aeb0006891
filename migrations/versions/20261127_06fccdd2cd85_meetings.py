"""Committee meetings, attendance and agenda items; follow-ups name the meeting that decided them.

Revision ID: 06fccdd2cd85
Revises: 605a4a4a1144
Create Date: 2026-11-26 23:24:11.789225
"""
from alembic import op
import sqlalchemy as sa


revision = '06fccdd2cd85'
down_revision = '605a4a4a1144'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('scheduled_for', sa.DateTime(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('status', sa.Enum('scheduled', 'held', 'cancelled', name='meetingstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('held_at', sa.DateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['committee_id'], ['agencies.id'], name=op.f('fk_meetings_committee_id_agencies')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_meetings_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings'))
    )
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index('ix_meetings_committee_id_scheduled_for', ['committee_id', 'scheduled_for'], unique=False)

    op.create_table('agenda_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('removed', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_agenda_items_case_id_cases')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_agenda_items_meeting_id_meetings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_items')),
    sa.UniqueConstraint('meeting_id', 'case_id', name=op.f('uq_agenda_items_meeting_id_case_id'))
    )
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_items_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agenda_items_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('meeting_attendances',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_meeting_attendances_agency_id_agencies')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_attendances_meeting_id_meetings')),
    sa.PrimaryKeyConstraint('meeting_id', 'agency_id', name=op.f('pk_meeting_attendances'))
    )
    op.create_table('agenda_item_reasons',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Enum('high_risk', 'repeat', 'overdue_follow_ups', 'declined_referral', 'added_by_hand', name='agendareason', native_enum=False, length=32), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['agenda_items.id'], name=op.f('fk_agenda_item_reasons_item_id_agenda_items')),
    sa.PrimaryKeyConstraint('item_id', 'reason', name=op.f('pk_agenda_item_reasons'))
    )
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meeting_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_follow_ups_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_follow_ups_meeting_id_meetings'), 'meetings', ['meeting_id'], ['id'])


def downgrade():
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_follow_ups_meeting_id_meetings'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_follow_ups_meeting_id'))
        batch_op.drop_column('meeting_id')

    op.drop_table('agenda_item_reasons')
    op.drop_table('meeting_attendances')
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_items_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_agenda_items_case_id'))

    op.drop_table('agenda_items')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index('ix_meetings_committee_id_scheduled_for')

    op.drop_table('meetings')