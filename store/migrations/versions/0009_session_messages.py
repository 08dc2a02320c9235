"""messages about a training session written from the session as it is when they are sent, not copied when
queued: an outbox row names its session; sessions can be cancelled; attendees evaluate their session

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
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'evaluations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('usefulness', sa.Integer(), nullable=True),
        sa.Column('trainer', sa.Integer(), nullable=True),
        sa.Column('will_apply', sa.Text(), nullable=True),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['owner_id'], ['owners.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['session_id'], ['training_sessions.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('session_id', 'owner_id'),
    )
    with op.batch_alter_table('evaluations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluations_owner_id'), ['owner_id'], unique=False)


def downgrade() -> None:
    op.drop_table('evaluations')
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.drop_column('cancelled_at')
    op.execute("DELETE FROM outbox WHERE session_id IS NOT NULL AND text IS NULL")
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint('fk_outbox_session_id_training_sessions', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_session_id'))
        batch_op.drop_column('session_id')
