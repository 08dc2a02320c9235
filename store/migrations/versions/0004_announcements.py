"""officers and announcements: officers, announcements, the channels' shared pace, opting out,
and outbox rows that belong to an announcement, go by priority and learn of their delivery

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")
SENDING = sa.text("status = 'sending'")
UNSENT = sa.text("status IN ('pending', 'sending')")


def upgrade() -> None:
    op.create_table('officers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('telegram_id', sa.String(length=40), nullable=True),
    sa.Column('scope', sa.String(length=5), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('officers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_officers_phone'), ['phone'], unique=False)
        batch_op.create_index(batch_op.f('ix_officers_telegram_id'), ['telegram_id'], unique=False)

    op.create_table('announcements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('author', sa.String(length=100), nullable=False),
    sa.Column('scope', sa.String(length=5), nullable=False),
    sa.Column('segment', sa.JSON(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.Column('stopped', sa.Integer(), nullable=False),
    sa.Column('blocked', sa.Integer(), nullable=False),
    sa.Column('no_chat', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcements_officer_id'), ['officer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_announcements_scope'), ['scope'], unique=False)

    op.create_table('channel_pace',
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('next_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('channel')
    )

    with op.batch_alter_table('owners', schema=None) as batch_op:
        batch_op.add_column(sa.Column('announcements_stopped_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('priority', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('announcement_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('language', sa.String(length=5), nullable=False, server_default='id'))
        batch_op.add_column(sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column('text', existing_type=sa.Text(), nullable=True)
        batch_op.create_foreign_key('fk_outbox_announcement_id_announcements', 'announcements',
                                    ['announcement_id'], ['id'], ondelete='CASCADE')
        batch_op.create_index(batch_op.f('ix_outbox_announcement_id'), ['announcement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_provider_message_id'), ['provider_message_id'], unique=False)
        batch_op.drop_index('ix_outbox_unsent')
        batch_op.create_index('ix_outbox_pending', ['priority', 'due_at', 'id'], unique=False,
                              postgresql_where=PENDING, sqlite_where=PENDING)
        batch_op.create_index('ix_outbox_sending', ['claimed_at'], unique=False,
                              postgresql_where=SENDING, sqlite_where=SENDING)
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        # The defaults were for the rows already there; new rows always say.
        batch_op.alter_column('priority', server_default=None)
        batch_op.alter_column('language', server_default=None)


def downgrade() -> None:
    op.execute("DELETE FROM outbox WHERE text IS NULL")
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_sending')
        batch_op.drop_index('ix_outbox_pending')
        batch_op.create_index('ix_outbox_unsent', ['status', 'due_at'], unique=False,
                              postgresql_where=UNSENT, sqlite_where=UNSENT)
        batch_op.drop_index(batch_op.f('ix_outbox_provider_message_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_announcement_id'))
        batch_op.drop_constraint('fk_outbox_announcement_id_announcements', type_='foreignkey')
        batch_op.alter_column('text', existing_type=sa.Text(), nullable=False)
        batch_op.drop_column('delivered_at')
        batch_op.drop_column('language')
        batch_op.drop_column('announcement_id')
        batch_op.drop_column('priority')

    with op.batch_alter_table('owners', schema=None) as batch_op:
        batch_op.drop_column('announcements_stopped_at')

    op.drop_table('channel_pace')
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcements_scope'))
        batch_op.drop_index(batch_op.f('ix_announcements_officer_id'))
    op.drop_table('announcements')

    with op.batch_alter_table('officers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_officers_telegram_id'))
        batch_op.drop_index(batch_op.f('ix_officers_phone'))
    op.drop_table('officers')
