"""announcements sent at a time the officer chose (WIB), and cancelled before then

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('announcements') as table:
        table.add_column(sa.Column('send_at', sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('announcements') as table:
        table.drop_column('cancelled_at')
        table.drop_column('send_at')
