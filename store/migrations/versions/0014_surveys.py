"""surveys the Dinas starts ask about one business each: a follow-up names its business, an outbox row its
follow-up (whose business or session its first question names), and a business its owner says no longer operates
is marked closed

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-04
"""

from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('businesses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('business_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_follow_ups_business_id'), ['business_id'], unique=False)
        batch_op.create_foreign_key('fk_follow_ups_business_id_businesses', 'businesses', ['business_id'], ['id'],
                                    ondelete='CASCADE')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('follow_up_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_follow_up_id'), ['follow_up_id'], unique=False)
        batch_op.create_foreign_key('fk_outbox_follow_up_id_follow_ups', 'follow_ups', ['follow_up_id'], ['id'],
                                    ondelete='CASCADE')


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint('fk_outbox_follow_up_id_follow_ups', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_follow_up_id'))
        batch_op.drop_column('follow_up_id')
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_constraint('fk_follow_ups_business_id_businesses', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_follow_ups_business_id'))
        batch_op.drop_column('business_id')
    with op.batch_alter_table('businesses', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
