""""naik kelas" read from indexes alone: the figures rows that changed a class keep, in their index, the classes
they changed from and to; each business's assessments are indexed in order with their level and score; and the
assessments no longer their business's latest (the businesses assessed more than once) have an index of their own

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

CHANGED_CLASS = {"postgresql_where": sa.text("business_class != previous_class"),
                 "sqlite_where": sa.text("business_class != previous_class")}
SUPERSEDED = {"postgresql_where": sa.text("latest IS false"), "sqlite_where": sa.text("latest IS 0")}


def upgrade() -> None:
    with op.batch_alter_table('business_figures', schema=None) as batch_op:
        batch_op.drop_index('ix_business_figures_class_changes', **CHANGED_CLASS)
        batch_op.create_index('ix_business_figures_class_changes',
                              ['recorded_at', 'business_id', 'previous_class', 'business_class'], unique=False,
                              **CHANGED_CLASS)
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index('ix_assessments_business')
        batch_op.create_index('ix_assessments_business', ['business_id', 'taken_at', 'id', 'level', 'score'],
                              unique=False)
        batch_op.create_index('ix_assessments_superseded', ['business_id'], unique=False, **SUPERSEDED)


def downgrade() -> None:
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index('ix_assessments_superseded', **SUPERSEDED)
        batch_op.drop_index('ix_assessments_business')
        batch_op.create_index('ix_assessments_business', ['business_id', 'taken_at'], unique=False)
    with op.batch_alter_table('business_figures', schema=None) as batch_op:
        batch_op.drop_index('ix_business_figures_class_changes', **CHANGED_CLASS)
        batch_op.create_index('ix_business_figures_class_changes', ['recorded_at', 'business_id'], unique=False,
                              **CHANGED_CLASS)
