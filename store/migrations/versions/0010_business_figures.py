"""every business keeps dated figures (capital, turnover, workers, class): one row at registration, after each
correction of them and after each data update, with the class they replaced (so the few rows that changed a
class are found on their own); the businesses already registered get their registration row, from their figures
as they stand, at the moment they were registered

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# The figures a row keeps (store/models.py FIGURE_COLUMNS), as they were when this was written.
FIGURES = ('modal_usaha', 'monthly_turnover', 'annual_turnover', 'workers', 'business_class')


def upgrade() -> None:
    op.create_table(
        'business_figures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('business_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('source', sa.String(length=12), nullable=False),
        sa.Column('modal_usaha', sa.BigInteger(), nullable=False),
        sa.Column('monthly_turnover', sa.BigInteger(), nullable=False),
        sa.Column('annual_turnover', sa.BigInteger(), nullable=False),
        sa.Column('workers', sa.Integer(), nullable=False),
        sa.Column('business_class', sa.String(length=12), nullable=False),
        sa.Column('previous_class', sa.String(length=12), nullable=True),
        sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('business_figures', schema=None) as batch_op:
        batch_op.create_index('ix_business_figures_business_recorded', ['business_id', 'recorded_at'], unique=False)
        batch_op.create_index('ix_business_figures_class_changes', ['recorded_at', 'business_id'], unique=False,
                              postgresql_where=sa.text('business_class != previous_class'),
                              sqlite_where=sa.text('business_class != previous_class'))
    businesses = sa.table('businesses', sa.column('id'), sa.column('registered_at'),
                          *(sa.column(name) for name in FIGURES))
    figures = sa.table('business_figures', sa.column('business_id'), sa.column('recorded_at'), sa.column('source'),
                       *(sa.column(name) for name in FIGURES))
    op.execute(figures.insert().from_select(
        ['business_id', 'recorded_at', 'source', *FIGURES],
        sa.select(businesses.c.id, businesses.c.registered_at, sa.literal('registration'),
                  *(businesses.c[name] for name in FIGURES))))


def downgrade() -> None:
    op.drop_table('business_figures')
