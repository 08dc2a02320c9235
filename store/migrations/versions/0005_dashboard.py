"""the officers' dashboard: login links, dashboard sessions, exports, the cookie key, and each assessment's
dimension scores and whether it is its business's latest

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

# The assessment's items by dimension as they were when this migration was written (flows/scoring.py);
# a migration keeps its own copy, as the code's may change after it.
ITEM_DIMENSIONS = {
    "nib": "legalitas", "izin_edar": "legalitas", "halal": "legalitas", "merek": "legalitas",
    "pencatatan": "keuangan", "uang_terpisah": "keuangan", "pembiayaan": "keuangan",
    "omzet_tren": "pasar", "wilayah": "pasar", "online": "digital", "non_tunai": "digital",
    "kemasan": "produk", "sop": "produk", "kapasitas": "produk", "tenaga_kerja": "sdm", "pelatihan": "sdm",
}
DIMENSIONS = ("legalitas", "keuangan", "pasar", "digital", "produk", "sdm")
MAX_POINTS = 3
LATEST = {"postgresql_where": sa.text("latest IS true"), "sqlite_where": sa.text("latest IS 1")}


def upgrade() -> None:
    op.create_table('secrets',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('value', sa.String(length=128), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('dashboard_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('csrf_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('dashboard_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dashboard_sessions_officer_id'), ['officer_id'], unique=False)

    op.create_table('exports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=5), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('what', sa.String(length=40), nullable=False),
    sa.Column('format', sa.String(length=8), nullable=False),
    sa.Column('filter', sa.JSON(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('full_nik', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('exports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exports_officer_id'), ['officer_id'], unique=False)

    op.create_table('login_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('officer_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['officer_id'], ['officers.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('login_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_links_officer_id'), ['officer_id'], unique=False)

    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('latest', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('legalitas', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('keuangan', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('pasar', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('digital', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('produk', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('sdm', sa.Float(), nullable=True))
    with op.batch_alter_table('businesses', schema=None) as batch_op:
        batch_op.drop_index('ix_businesses_kabupaten_code')
        batch_op.create_index('ix_businesses_kabupaten_class_sector', ['kabupaten_code', 'business_class', 'sector'])
        batch_op.create_index('ix_businesses_kabupaten_registered', ['kabupaten_code', 'registered_at'])
        batch_op.create_index('ix_businesses_registered_at', ['registered_at'])

    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_key', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_announcements_request_key', ['request_key'])

    _fill_assessments()
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.alter_column('latest', server_default=None)
        batch_op.create_index('ix_assessments_latest', ['business_id'], unique=False, **LATEST)


def _fill_assessments() -> None:
    """Mark all but each business's newest assessment as not the latest, and score every dimension."""
    assessments = sa.table('assessments', sa.column('id'), sa.column('business_id'), sa.column('taken_at'),
                           sa.column('points', sa.JSON()), sa.column('latest'),
                           *(sa.column(dimension) for dimension in DIMENSIONS))
    connection = op.get_bind()
    for row in connection.execute(sa.select(assessments.c.id, assessments.c.points)):
        shares: dict[str, list[int]] = {}
        for key, points in (row.points or {}).items():
            if key in ITEM_DIMENSIONS:
                shares.setdefault(ITEM_DIMENSIONS[key], []).append(points)
        connection.execute(sa.update(assessments).where(assessments.c.id == row.id).values(
            {dimension: 100 * sum(shares[dimension]) / (MAX_POINTS * len(shares[dimension]))
             for dimension in shares}))
    # Assessments are written as they are taken, so a business's newest has its highest id.
    newest = sa.select(sa.func.max(assessments.c.id)).group_by(assessments.c.business_id)
    connection.execute(sa.update(assessments).where(assessments.c.id.not_in(newest)).values(latest=False))


def downgrade() -> None:
    with op.batch_alter_table('businesses', schema=None) as batch_op:
        batch_op.drop_index('ix_businesses_registered_at')
        batch_op.drop_index('ix_businesses_kabupaten_registered')
        batch_op.drop_index('ix_businesses_kabupaten_class_sector')
        batch_op.create_index('ix_businesses_kabupaten_code', ['kabupaten_code'])

    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.drop_constraint('uq_announcements_request_key', type_='unique')
        batch_op.drop_column('request_key')

    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index('ix_assessments_latest', **LATEST)
        batch_op.drop_column('sdm')
        batch_op.drop_column('produk')
        batch_op.drop_column('digital')
        batch_op.drop_column('pasar')
        batch_op.drop_column('keuangan')
        batch_op.drop_column('legalitas')
        batch_op.drop_column('latest')

    with op.batch_alter_table('login_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_links_officer_id'))

    op.drop_table('login_links')
    with op.batch_alter_table('exports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exports_officer_id'))

    op.drop_table('exports')
    with op.batch_alter_table('dashboard_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dashboard_sessions_officer_id'))

    op.drop_table('dashboard_sessions')
    op.drop_table('secrets')
