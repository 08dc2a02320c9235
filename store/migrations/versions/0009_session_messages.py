"""messages about a training session written from the session as it is when they are sent, not copied when
queued: an outbox row names its session

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_session_id'), ['session_id'], unique=False)
        batch_op.create_foreign_key('fk_outbox_session_id_training_sessions', 'training_sessions',
                                    ['session_id'], ['id'], ondelete='CASCADE')


def downgrade() -> None:
    op.execute("DELETE FROM outbox WHERE session_id IS NOT NULL AND text IS NULL")
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint('fk_outbox_session_id_training_sessions', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_session_id'))
        batch_op.drop_column('session_id')
