"""the outbox's announcement, session, survey and provider ids are indexed only where a row has one: a broadcast
writes no index entries for the others

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""

from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

COLUMNS = ('announcement_id', 'session_id', 'survey_id', 'provider_message_id')


def upgrade() -> None:
    for column in COLUMNS:
        op.drop_index(f'ix_outbox_{column}', table_name='outbox')
        named = sa.text(f'{column} IS NOT NULL')
        op.create_index(f'ix_outbox_{column}', 'outbox', [column], postgresql_where=named, sqlite_where=named)


def downgrade() -> None:
    for column in COLUMNS:
        op.drop_index(f'ix_outbox_{column}', table_name='outbox')
        op.create_index(f'ix_outbox_{column}', 'outbox', [column])
