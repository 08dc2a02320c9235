"""the outbox says, once a row is sent, who carried it and whether it went as the approved template: what it cost

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('outbox', sa.Column('provider', sa.String(length=10), nullable=True))
    op.add_column('outbox', sa.Column('template', sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox') as outbox:
        outbox.drop_column('template')
        outbox.drop_column('provider')
