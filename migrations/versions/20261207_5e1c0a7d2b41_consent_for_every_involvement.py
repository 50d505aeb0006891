"""Consent for every involvement: follow-ups and programmes carry their legal
ground; a follow-up an agency gives itself is marked self-assigned (it grants
no access of its own).

Revision ID: 5e1c0a7d2b41
Revises: a545ac7666e6
Create Date: 2026-12-07 01:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '5e1c0a7d2b41'
down_revision = 'a545ac7666e6'
branch_labels = None
depends_on = None

GROUNDS = ('danger_to_life', 'child_at_risk')


def _legal_ground_column():
    return sa.Column('legal_ground', sa.Enum(*GROUNDS, name='legalground', native_enum=False,
                                             create_constraint=True, length=32), nullable=True)


def upgrade():
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('self_assigned', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(_legal_ground_column())
        batch_op.drop_index('ix_follow_ups_owner_agency_id_case_id')
        batch_op.create_index('ix_follow_ups_owner_agency_id_self_assigned_case_id',
                              ['owner_agency_id', 'self_assigned', 'case_id'], unique=False)
    with op.batch_alter_table('correctional_programmes', schema=None) as batch_op:
        batch_op.add_column(_legal_ground_column())

    # Existing follow-ups an agency gave itself (its creator worked there).
    follow_ups = sa.table('follow_ups', sa.column('id', sa.Integer),
                          sa.column('owner_agency_id', sa.Integer),
                          sa.column('created_by_id', sa.Integer),
                          sa.column('self_assigned', sa.Boolean))
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('agency_id', sa.Integer))
    creator_agency = (sa.select(users.c.agency_id)
                      .where(users.c.id == follow_ups.c.created_by_id).scalar_subquery())
    op.execute(follow_ups.update()
               .where(follow_ups.c.owner_agency_id == creator_agency)
               .values(self_assigned=sa.true()))


def downgrade():
    with op.batch_alter_table('correctional_programmes', schema=None) as batch_op:
        batch_op.drop_constraint('legalground', type_='check')
        batch_op.drop_column('legal_ground')
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_index('ix_follow_ups_owner_agency_id_self_assigned_case_id')
        batch_op.create_index('ix_follow_ups_owner_agency_id_case_id',
                              ['owner_agency_id', 'case_id'], unique=False)
        batch_op.drop_constraint('legalground', type_='check')
        batch_op.drop_column('legal_ground')
        batch_op.drop_column('self_assigned')
