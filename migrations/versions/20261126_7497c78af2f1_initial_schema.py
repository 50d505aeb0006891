"""Initial schema: territories, agencies, users, cases, incidents, audit log.

Revision ID: 7497c78af2f1
Revises: 
Create Date: 2026-11-26 22:50:43.503937
"""
from alembic import op
import sqlalchemy as sa

#: The audit log is append-only: the database itself refuses UPDATE and DELETE.
APPEND_ONLY_SQLITE = [
    """CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
       BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END""",
    """CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
       BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END""",
]
APPEND_ONLY_POSTGRESQL = [
    """CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$""",
    """CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
       FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()""",
    """CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
       FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()""",
]


def _append_only_statements():
    dialect = op.get_bind().dialect.name
    return {"sqlite": APPEND_ONLY_SQLITE, "postgresql": APPEND_ONLY_POSTGRESQL}.get(dialect, [])


revision = '7497c78af2f1'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('territories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('level', sa.Enum('country', 'region', 'district', 'municipality', name='territorylevel', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('name_ru', sa.String(length=120), nullable=False),
    sa.Column('name_ky', sa.String(length=120), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['territories.id'], name=op.f('fk_territories_parent_id_territories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_territories')),
    sa.UniqueConstraint('code', name=op.f('uq_territories_code'))
    )
    with op.batch_alter_table('territories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_territories_parent_id'), ['parent_id'], unique=False)

    op.create_table('agencies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('type', sa.Enum('committee', 'police', 'social', 'lsg', 'health', 'education', 'crisis_centre', 'ministry', name='agencytype', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], name=op.f('fk_agencies_territory_id_territories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agencies')),
    sa.UniqueConstraint('code', name=op.f('uq_agencies_code'))
    )
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agencies_territory_id'), ['territory_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agencies_type'), ['type'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('member', 'lead', 'admin', name='role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('failed_login_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_users_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_agency_id'), ['agency_id'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('ip_address', sa.String(length=45), nullable=True),
    sa.Column('action', sa.Enum('login_succeeded', 'login_failed', 'login_locked', 'logout', 'session_expired', 'case_created', 'case_viewed', 'user_created', 'password_set', 'demo_data_loaded', name='auditaction', native_enum=False, length=32), nullable=False),
    sa.Column('object_type', sa.String(length=32), nullable=True),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_audit_events_agency_id_agencies')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_events_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_user_id'), ['user_id'], unique=False)

    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=24), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=True),
    sa.Column('opening_agency_id', sa.Integer(), nullable=False),
    sa.Column('lead_agency_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('open', 'active', 'monitoring', 'closed', name='casestatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('closure_reason', sa.Enum('safety_plan_achieved', 'moved_away', 'survivor_declined_support', 'no_further_contact', 'transferred', 'other', name='closurereason', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('risk_level', sa.Enum('standard', 'medium', 'high', name='risklevel', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('survivor_code', sa.String(length=16), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_cases_created_by_id_users')),
    sa.ForeignKeyConstraint(['district_id'], ['territories.id'], name=op.f('fk_cases_district_id_territories')),
    sa.ForeignKeyConstraint(['lead_agency_id'], ['agencies.id'], name=op.f('fk_cases_lead_agency_id_agencies')),
    sa.ForeignKeyConstraint(['municipality_id'], ['territories.id'], name=op.f('fk_cases_municipality_id_territories')),
    sa.ForeignKeyConstraint(['opening_agency_id'], ['agencies.id'], name=op.f('fk_cases_opening_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('reference', name=op.f('uq_cases_reference'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_cases_district_id_created_at', ['district_id', 'created_at'], unique=False)
        batch_op.create_index('ix_cases_lead_agency_id_created_at', ['lead_agency_id', 'created_at'], unique=False)
        batch_op.create_index('ix_cases_opening_agency_id_created_at', ['opening_agency_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_risk_level'), ['risk_level'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_survivor_code'), ['survivor_code'], unique=False)

    op.create_table('incidents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('place', sa.Enum('shared_home', 'survivor_home', 'relatives_home', 'public_place', 'workplace', 'other', name='incidentplace', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('reported_by', sa.Enum('survivor', 'relative', 'neighbour', 'school', 'health_worker', 'police_patrol', 'call_102_112', 'hotline_117', 'other', name='reporter', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('bride_kidnapping', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('forced_marriage', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('early_marriage', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('crime_register_number', sa.String(length=40), nullable=True),
    sa.Column('info_log_number', sa.String(length=40), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_incidents_case_id_cases')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_incidents_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incidents'))
    )
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incidents_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incidents_occurred_on'), ['occurred_on'], unique=False)

    op.create_table('people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('survivor', 'alleged_perpetrator', 'child', 'other', name='personrole', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('patronymic', sa.String(length=100), nullable=True),
    sa.Column('sex', sa.Enum('female', 'male', name='sex', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('disability', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('relationship_to_survivor', sa.Enum('spouse', 'former_spouse', 'de_facto_partner', 'parent', 'child', 'parent_in_law', 'other_relative', 'carer', 'other', name='relationship', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_people_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_people'))
    )
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_people_case_id'), ['case_id'], unique=False)

    op.create_table('timeline_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('kind', sa.Enum('case_registered', 'incident_recorded', name='timelinekind', native_enum=False, length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_timeline_events_agency_id_agencies')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_timeline_events_case_id_cases')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_timeline_events_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timeline_events'))
    )
    with op.batch_alter_table('timeline_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_timeline_events_case_id'), ['case_id'], unique=False)

    op.create_table('incident_violence_forms',
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('form', sa.Enum('physical', 'psychological', 'economic', 'sexual', 'neglect', 'threat', name='violenceform', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_incident_violence_forms_incident_id_incidents')),
    sa.PrimaryKeyConstraint('incident_id', 'form', name=op.f('pk_incident_violence_forms'))
    )

    for statement in _append_only_statements():
        op.execute(statement)


def downgrade():
    op.drop_table('incident_violence_forms')
    with op.batch_alter_table('timeline_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_timeline_events_case_id'))

    op.drop_table('timeline_events')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_people_case_id'))

    op.drop_table('people')
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incidents_occurred_on'))
        batch_op.drop_index(batch_op.f('ix_incidents_case_id'))

    op.drop_table('incidents')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_survivor_code'))
        batch_op.drop_index(batch_op.f('ix_cases_status'))
        batch_op.drop_index(batch_op.f('ix_cases_risk_level'))
        batch_op.drop_index('ix_cases_opening_agency_id_created_at')
        batch_op.drop_index('ix_cases_lead_agency_id_created_at')
        batch_op.drop_index('ix_cases_district_id_created_at')
        batch_op.drop_index(batch_op.f('ix_cases_created_at'))

    op.drop_table('cases')
    # Dropping the table drops its indexes and triggers too.
    op.drop_table('audit_events')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_events_append_only()")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_agency_id'))

    op.drop_table('users')
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agencies_type'))
        batch_op.drop_index(batch_op.f('ix_agencies_territory_id'))

    op.drop_table('agencies')
    with op.batch_alter_table('territories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_territories_parent_id'))

    op.drop_table('territories')
