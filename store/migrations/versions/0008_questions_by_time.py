"""questions found by when they were asked: the inventory of problems counts them month by month

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.create_index('ix_questions_created_at', ['created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_index('ix_questions_created_at')
