"""the choices a chat was shown last, so a press on them is read exactly; Twilio's Content resource per screen

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('conversations', sa.Column('screen', sa.JSON(), nullable=True))
    op.create_table(
        'twilio_contents',
        sa.Column('key', sa.String(length=64), primary_key=True),
        sa.Column('content_sid', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('twilio_contents')
    op.drop_column('conversations', 'screen')
