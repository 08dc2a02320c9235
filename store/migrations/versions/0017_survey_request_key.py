"""a survey started from the dashboard carries its form's key, so pressing "start" twice starts it once

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""

from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('surveys') as table:
        table.add_column(sa.Column('request_key', sa.String(length=64), nullable=True))
        table.create_unique_constraint('uq_surveys_request_key', ['request_key'])


def downgrade() -> None:
    with op.batch_alter_table('surveys') as table:
        table.drop_constraint('uq_surveys_request_key', type_='unique')
        table.drop_column('request_key')
