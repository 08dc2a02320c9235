"""each assessment keeps the level, the score and the moment of the one it replaced (the business's one before
it), so that "naik kelas" reads a period's changes of level and score as sums of the steps the retakes within it
took, from a partial index of the retakes, with no window over the histories; the assessments kept so far get
theirs from the business's history. The figures rows that changed a class are told by a condition PostgreSQL
estimates from statistics of their own (it took 80% of the rows for them, not 3%); each owner's sessions
attended are read from the enrollments' owner index alone

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

CHANGED_CLASS_BEFORE = {"postgresql_where": sa.text("business_class != previous_class"),
                        "sqlite_where": sa.text("business_class != previous_class")}
CHANGED_CLASS = {"postgresql_where": sa.text("(business_class != previous_class) IS true"),
                 "sqlite_where": sa.text("(business_class != previous_class) IS 1")}
CHANGES_INDEXED = ['recorded_at', 'business_id', 'previous_class', 'business_class']
# Statistics on an expression, from PostgreSQL 14 on (before it, the estimate stays as it was).
CHANGED_CLASS_STATISTICS = ("CREATE STATISTICS business_figures_changed_class ON ((business_class != previous_class)) "
                            "FROM business_figures")
RETAKE = {"postgresql_where": sa.text("previous_level IS NOT NULL"),
          "sqlite_where": sa.text("previous_level IS NOT NULL")}
SUPERSEDED = {"postgresql_where": sa.text("latest IS false"), "sqlite_where": sa.text("latest IS 0")}
RETAKES_INDEXED = ['taken_at', 'business_id', 'previous_taken_at', 'previous_level', 'level', 'previous_score',
                   'score']


def upgrade() -> None:
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_level', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('previous_score', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('previous_taken_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_index('ix_assessments_superseded', **SUPERSEDED)
    assessments = sa.table('assessments', sa.column('id'), sa.column('business_id'), sa.column('taken_at'),
                           sa.column('level'), sa.column('score'), sa.column('previous_level'),
                           sa.column('previous_score'), sa.column('previous_taken_at'))
    window = {"partition_by": assessments.c.business_id, "order_by": (assessments.c.taken_at, assessments.c.id)}
    replaced = (sa.select(assessments.c.id, sa.func.lag(assessments.c.level).over(**window).label('level'),
                          sa.func.lag(assessments.c.score).over(**window).label('score'),
                          sa.func.lag(assessments.c.taken_at).over(**window).label('taken_at'))
                .subquery('replaced'))
    op.execute(assessments.update().where(assessments.c.id == replaced.c.id, replaced.c.level.is_not(None))
               .values(previous_level=replaced.c.level, previous_score=replaced.c.score,
                       previous_taken_at=replaced.c.taken_at))
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.create_index('ix_assessments_retakes', RETAKES_INDEXED, unique=False, **RETAKE)
    with op.batch_alter_table('business_figures', schema=None) as batch_op:
        batch_op.drop_index('ix_business_figures_class_changes', **CHANGED_CLASS_BEFORE)
        batch_op.create_index('ix_business_figures_class_changes', CHANGES_INDEXED, unique=False, **CHANGED_CLASS)
    with op.batch_alter_table('enrollments', schema=None) as batch_op:
        batch_op.drop_index('ix_enrollments_owner_status')
        batch_op.create_index('ix_enrollments_owner_status', ['owner_id', 'status', 'session_id'], unique=False)
    dialect = op.get_bind().dialect
    if dialect.name == "postgresql" and dialect.server_version_info >= (14,):
        op.execute(CHANGED_CLASS_STATISTICS)


def downgrade() -> None:
    with op.batch_alter_table('enrollments', schema=None) as batch_op:
        batch_op.drop_index('ix_enrollments_owner_status')
        batch_op.create_index('ix_enrollments_owner_status', ['owner_id', 'status'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP STATISTICS IF EXISTS business_figures_changed_class")
    with op.batch_alter_table('business_figures', schema=None) as batch_op:
        batch_op.drop_index('ix_business_figures_class_changes', **CHANGED_CLASS)
        batch_op.create_index('ix_business_figures_class_changes', CHANGES_INDEXED, unique=False,
                              **CHANGED_CLASS_BEFORE)
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index('ix_assessments_retakes', **RETAKE)
        batch_op.create_index('ix_assessments_superseded', ['business_id'], unique=False, **SUPERSEDED)
        batch_op.drop_column('previous_taken_at')
        batch_op.drop_column('previous_score')
        batch_op.drop_column('previous_level')
