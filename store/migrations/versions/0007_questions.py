"""Ask the Dinas: the knowledge base and its history, owners' questions to officers, and what the bot was asked

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('knowledge_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('topic', sa.String(length=30), nullable=False),
    sa.Column('kabupaten_code', sa.String(length=5), nullable=True),
    sa.Column('question', sa.JSON(), nullable=False),
    sa.Column('answer', sa.JSON(), nullable=False),
    sa.Column('variants', sa.JSON(), nullable=False),
    sa.Column('programme_codes', sa.JSON(), nullable=False),
    sa.Column('hands_over', sa.Boolean(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('slug')
    )
    op.create_table('knowledge_entry_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('change', sa.String(length=12), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by', sa.String(length=100), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['entry_id'], ['knowledge_entries.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('entry_id', 'version')
    )
    with op.batch_alter_table('knowledge_entry_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_knowledge_entry_versions_entry_id'), ['entry_id'], unique=False)

    op.create_table('questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('kabupaten_code', sa.String(length=5), nullable=False),
    sa.Column('topic', sa.String(length=30), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('active_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_why', sa.String(length=12), nullable=True),
    sa.Column('assigned_officer_id', sa.Integer(), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['assigned_officer_id'], ['officers.id'], ),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['owners.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questions_conversation_id'), ['conversation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_questions_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_questions_state', ['status', 'kabupaten_code', 'created_at'], unique=False)

    op.create_table('asked_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('kabupaten_code', sa.String(length=5), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=True),
    sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['entry_id'], ['knowledge_entries.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['owners.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('asked_questions', schema=None) as batch_op:
        batch_op.create_index('ix_asked_questions_at', ['asked_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_asked_questions_owner_id'), ['owner_id'], unique=False)

    op.create_table('question_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.Column('shown_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], ),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('question_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_messages_question_id'), ['question_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('question_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_messages_question_id'))

    op.drop_table('question_messages')
    with op.batch_alter_table('asked_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_asked_questions_owner_id'))
        batch_op.drop_index('ix_asked_questions_at')

    op.drop_table('asked_questions')
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_index('ix_questions_state')
        batch_op.drop_index(batch_op.f('ix_questions_owner_id'))
        batch_op.drop_index(batch_op.f('ix_questions_conversation_id'))

    op.drop_table('questions')
    with op.batch_alter_table('knowledge_entry_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_knowledge_entry_versions_entry_id'))

    op.drop_table('knowledge_entry_versions')
    op.drop_table('knowledge_entries')
