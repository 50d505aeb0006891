"""Population figures by territory, year and sex (the denominators of rates).

Revision ID: f3a9c2d1b604
Revises: d4e5a1c0b718
Create Date: 2026-12-07 04:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'f3a9c2d1b604'
down_revision = 'd4e5a1c0b718'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('population_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('sex', sa.Enum('female', 'male', name='sex', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.Column('demo', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('population >= 0', name=op.f('ck_population_figures_population_not_negative')),
    sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], name=op.f('fk_population_figures_territory_id_territories')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_population_figures_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_population_figures')),
    sa.UniqueConstraint('territory_id', 'year', 'sex', name=op.f('uq_population_figures_territory_id_year_sex'))
    )
    with op.batch_alter_table('population_figures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_population_figures_year'), ['year'], unique=False)


def downgrade():
    with op.batch_alter_table('population_figures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_population_figures_year'))

    op.drop_table('population_figures')
