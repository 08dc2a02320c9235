"""questions found by when they were asked: the inventory of problems counts them month by month; and replies
held for an owner's next message, which every message of an owner looks for

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

HELD = "shown_at IS NULL AND officer_id IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.create_index('ix_questions_created_at', ['created_at'], unique=False)
    with op.batch_alter_table('question_messages', schema=None) as batch_op:
        batch_op.create_index('ix_question_messages_held', ['question_id'], unique=False,
                              postgresql_where=sa.text(HELD), sqlite_where=sa.text(HELD))


def downgrade() -> None:
    with op.batch_alter_table('question_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_question_messages_held', postgresql_where=sa.text(HELD), sqlite_where=sa.text(HELD))
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_index('ix_questions_created_at')
