"""The inboxes' keyset pages: indexes on (agency or person, status, deadline
or due date, id) for the referral lists and the follow-ups, so that a page
and its capped count read one index range and stop; the follow-ups' former
(owner agency, status, due date) index is a prefix of the new one.

Revision ID: a7c3e9b15d42
Revises: c6a1d9e3f207
Create Date: 2026-12-07 16:30:00
"""
from alembic import op


revision = 'a7c3e9b15d42'
down_revision = 'c6a1d9e3f207'
branch_labels = None
depends_on = None

_REFERRALS = {
    'ix_referrals_to_agency_id_status_respond_by': ['to_agency_id', 'status', 'respond_by', 'id'],
    'ix_referrals_from_agency_id_status_respond_by':
        ['from_agency_id', 'status', 'respond_by', 'id'],
    'ix_referrals_sent_by_id_status_respond_by': ['sent_by_id', 'status', 'respond_by', 'id'],
    'ix_referrals_answered_by_id_status_respond_by':
        ['answered_by_id', 'status', 'respond_by', 'id'],
}
_FOLLOW_UPS = {
    'ix_follow_ups_owner_agency_id_status_due_on_id': ['owner_agency_id', 'status', 'due_on', 'id'],
    'ix_follow_ups_owner_user_id_status_due_on_id': ['owner_user_id', 'status', 'due_on', 'id'],
}


# Plain CREATE/DROP INDEX, not batch mode: on SQLite a batch would copy the
# whole table (millions of rows in a national database) for an index.
def upgrade():
    for name, columns in _REFERRALS.items():
        op.create_index(name, 'referrals', columns, unique=False)
    op.drop_index('ix_follow_ups_owner_agency_id_status_due_on', table_name='follow_ups')
    for name, columns in _FOLLOW_UPS.items():
        op.create_index(name, 'follow_ups', columns, unique=False)


def downgrade():
    for name in _FOLLOW_UPS:
        op.drop_index(name, table_name='follow_ups')
    op.create_index('ix_follow_ups_owner_agency_id_status_due_on', 'follow_ups',
                    ['owner_agency_id', 'status', 'due_on'], unique=False)
    for name in _REFERRALS:
        op.drop_index(name, table_name='referrals')
