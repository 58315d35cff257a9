"""inspection records: the biên bản kiểm tra of submitted inspections

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from inspection.db import UTCDateTime

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('inspection_records',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('inspection_id', sa.Uuid(), nullable=False),
    sa.Column('province_code', sa.String(length=2), nullable=False),
    sa.Column('issuer', sa.String(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('symbol', sa.String(length=30), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('drawn_on', sa.Date(), nullable=True),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=True),
    sa.Column('docx_sha256', sa.String(length=64), nullable=True),
    sa.Column('job_id', sa.Uuid(), nullable=True),
    sa.Column('created_by', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_inspection_records_inspection_id_inspections')),
    sa.ForeignKeyConstraint(['province_code'], ['provinces.code'], name=op.f('fk_inspection_records_province_code_provinces')),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_inspection_records_job_id_jobs')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_inspection_records_created_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_records')),
    sa.UniqueConstraint('inspection_id', name=op.f('uq_inspection_records_inspection_id')),
    sa.UniqueConstraint('issuer', 'province_code', 'year', 'number', name='uq_inspection_records_issuer_province_year_number')
    )
    op.create_index(op.f('ix_inspection_records_province_code'), 'inspection_records', ['province_code'], unique=False)
    op.create_index(op.f('ix_inspection_records_status'), 'inspection_records', ['status'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_inspection_records_status'), table_name='inspection_records')
    op.drop_index(op.f('ix_inspection_records_province_code'), table_name='inspection_records')
    op.drop_table('inspection_records')
