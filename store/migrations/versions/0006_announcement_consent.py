"""receiving announcements asked for on its own: when an owner was asked, when they said yes, and how many
owners an announcement left out because they never answered

Owners registered before this was asked have not said yes, so they are sent no announcement until they
do; only an owner whose last word was "mulai" (kept as a consent row) has said yes, then.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# The purpose the consent rows of announcements carry (store/announcements.py), as it was when this was written.
ANNOUNCEMENTS = "announcements"


def upgrade() -> None:
    with op.batch_alter_table('owners', schema=None) as batch_op:
        batch_op.add_column(sa.Column('announcements_asked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('announcements_accepted_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('not_asked', sa.Integer(), nullable=False, server_default='0'))
    _keep_the_yes_said()
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.alter_column('not_asked', server_default=None)


def _keep_the_yes_said() -> None:
    """An owner who has not stopped and whose answers hold a yes said "mulai" last: that yes stands, from then."""
    owners = sa.table('owners', sa.column('id'), sa.column('announcements_stopped_at'),
                      sa.column('announcements_accepted_at'))
    consents = sa.table('consents', sa.column('owner_id'), sa.column('purpose'), sa.column('accepted'),
                        sa.column('answered_at'))
    said_yes = (sa.select(sa.func.max(consents.c.answered_at))
                .where(consents.c.owner_id == owners.c.id, consents.c.purpose == ANNOUNCEMENTS,
                       consents.c.accepted.is_(sa.true()))
                .scalar_subquery())
    op.get_bind().execute(sa.update(owners).where(owners.c.announcements_stopped_at.is_(None))
                          .values(announcements_accepted_at=said_yes))


def downgrade() -> None:
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.drop_column('not_asked')
    with op.batch_alter_table('owners', schema=None) as batch_op:
        batch_op.drop_column('announcements_accepted_at')
        batch_op.drop_column('announcements_asked_at')
