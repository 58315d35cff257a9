"""notices: violation notices of approved inspections, and their gap-free number counters

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from inspection.db import UTCDateTime

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('notices',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('inspection_id', sa.Uuid(), nullable=False),
    sa.Column('province_code', sa.String(length=2), nullable=False),
    sa.Column('issuer', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('symbol', sa.String(length=30), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=True),
    sa.Column('docx_sha256', sa.String(length=64), nullable=True),
    sa.Column('job_id', sa.Uuid(), nullable=True),
    sa.Column('created_by', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_notices_inspection_id_inspections')),
    sa.ForeignKeyConstraint(['province_code'], ['provinces.code'], name=op.f('fk_notices_province_code_provinces')),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_notices_job_id_jobs')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_notices_created_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices')),
    sa.UniqueConstraint('inspection_id', name=op.f('uq_notices_inspection_id')),
    sa.UniqueConstraint('issuer', 'province_code', 'year', 'number', name='uq_notices_issuer_province_year_number')
    )
    op.create_index(op.f('ix_notices_province_code'), 'notices', ['province_code'], unique=False)
    op.create_index(op.f('ix_notices_status'), 'notices', ['status'], unique=False)
    op.create_table('notice_counters',
    sa.Column('issuer', sa.String(length=20), nullable=False),
    sa.Column('province_code', sa.String(length=2), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['province_code'], ['provinces.code'], name=op.f('fk_notice_counters_province_code_provinces')),
    sa.PrimaryKeyConstraint('issuer', 'province_code', 'year', name=op.f('pk_notice_counters'))
    )


def downgrade() -> None:
    op.drop_table('notice_counters')
    op.drop_index(op.f('ix_notices_status'), table_name='notices')
    op.drop_index(op.f('ix_notices_province_code'), table_name='notices')
    op.drop_table('notices')
