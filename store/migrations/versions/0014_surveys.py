"""surveys the Dinas starts ask about one business each: a follow-up names its business, and a business its owner
says no longer operates is marked closed; a survey's follow-ups are found by survey and owner at once (the one a
survey's message names, the owner's answers take up)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('businesses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_index('ix_follow_ups_survey_id')
        batch_op.create_index('ix_follow_ups_survey_owner', ['survey_id', 'owner_id'], unique=False)
        batch_op.add_column(sa.Column('business_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_follow_ups_business_id'), ['business_id'], unique=False)
        batch_op.create_foreign_key('fk_follow_ups_business_id_businesses', 'businesses', ['business_id'], ['id'],
                                    ondelete='CASCADE')


def downgrade() -> None:
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_constraint('fk_follow_ups_business_id_businesses', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_follow_ups_business_id'))
        batch_op.drop_column('business_id')
        batch_op.drop_index('ix_follow_ups_survey_owner')
        batch_op.create_index('ix_follow_ups_survey_id', ['survey_id'], unique=False)
    with op.batch_alter_table('businesses', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
