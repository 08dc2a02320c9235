"""a survey's follow-ups are written as the worker takes its messages: one per survey and business

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04
"""

from alembic import op


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('uq_follow_ups_survey_business', 'follow_ups', ['survey_id', 'business_id'], unique=True)


def downgrade() -> None:
    op.drop_index('uq_follow_ups_survey_business', table_name='follow_ups')
