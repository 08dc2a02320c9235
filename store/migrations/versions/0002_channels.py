"""channels: blocked chats, delivery statuses, waiting messages

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('delivery_statuses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('provider_message_id', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('error_code', sa.String(length=20), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('delivery_statuses', schema=None) as batch_op:
        batch_op.create_index('ix_delivery_statuses_message', ['channel', 'provider_message_id'], unique=False)

    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('blocked_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('sequence', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('verified_phone', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('attachment', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('replies', sa.JSON(), nullable=True))
        batch_op.create_index('ix_inbound_messages_waiting', ['channel', 'address', 'sequence'], unique=False, postgresql_where=sa.text('handled_at IS NULL'), sqlite_where=sa.text('handled_at IS NULL'))

    # Ids recorded before were handled when recorded.
    op.execute("UPDATE inbound_messages SET handled_at = received_at")



def downgrade() -> None:
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_inbound_messages_waiting', postgresql_where=sa.text('handled_at IS NULL'), sqlite_where=sa.text('handled_at IS NULL'))
        batch_op.drop_column('replies')
        batch_op.drop_column('handled_at')
        batch_op.drop_column('attachment')
        batch_op.drop_column('verified_phone')
        batch_op.drop_column('text')
        batch_op.drop_column('sequence')
        batch_op.drop_column('address')

    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_column('blocked_at')

    with op.batch_alter_table('delivery_statuses', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_statuses_message')

    op.drop_table('delivery_statuses')
