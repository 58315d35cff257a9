"""the post office's duties: its annual KT1 provision report (with the reminders sent) and the
roster of KT1 staff with their police vetting

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from inspection.db import UTCDateTime

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_VALUE = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade() -> None:
    op.create_table('provision_reports',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('province_code', sa.String(length=2), nullable=False),
    sa.Column('organization', sa.String(length=300), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('total_volume', sa.Integer(), nullable=True),
    sa.Column('local_volume', sa.Integer(), nullable=True),
    sa.Column('staff_involved', sa.Integer(), nullable=True),
    sa.Column('revenue_vnd', sa.BigInteger(), nullable=True),
    sa.Column('compliance', JSON_VALUE, nullable=True),
    sa.Column('incidents', JSON_VALUE, nullable=True),
    sa.Column('difficulties', sa.Text(), nullable=True),
    sa.Column('proposals', sa.Text(), nullable=True),
    sa.Column('submitted_at', UTCDateTime(), nullable=True),
    sa.Column('submitted_by', sa.Uuid(), nullable=True),
    sa.Column('first_submitted_on', sa.Date(), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=True),
    sa.Column('reviewed_at', UTCDateTime(), nullable=True),
    sa.Column('reviewed_by', sa.Uuid(), nullable=True),
    sa.Column('review_comment', sa.Text(), nullable=True),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=True),
    sa.Column('docx_sha256', sa.String(length=64), nullable=True),
    sa.Column('job_id', sa.Uuid(), nullable=True),
    sa.Column('created_by', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['province_code'], ['provinces.code'], name=op.f('fk_provision_reports_province_code_provinces')),
    sa.ForeignKeyConstraint(['submitted_by'], ['users.id'], name=op.f('fk_provision_reports_submitted_by_users')),
    sa.ForeignKeyConstraint(['reviewed_by'], ['users.id'], name=op.f('fk_provision_reports_reviewed_by_users')),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_provision_reports_job_id_jobs')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_provision_reports_created_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provision_reports')),
    sa.UniqueConstraint('province_code', 'organization', 'year', name='uq_provision_reports_province_organization_year')
    )
    op.create_index(op.f('ix_provision_reports_province_code'), 'provision_reports', ['province_code'], unique=False)
    op.create_index(op.f('ix_provision_reports_status'), 'provision_reports', ['status'], unique=False)

    op.create_table('provision_reminders',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('province_code', sa.String(length=2), nullable=False),
    sa.Column('organization', sa.String(length=300), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('reminded_on', sa.Date(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['province_code'], ['provinces.code'], name=op.f('fk_provision_reminders_province_code_provinces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provision_reminders')),
    sa.UniqueConstraint('province_code', 'organization', 'year', 'reminded_on', name='uq_provision_reminders_once_a_day')
    )
    op.create_index(op.f('ix_provision_reminders_province_code'), 'provision_reminders', ['province_code'], unique=False)

    op.create_table('staff_members',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('province_code', sa.String(length=2), nullable=False),
    sa.Column('organization', sa.String(length=300), nullable=False),
    sa.Column('site_id', sa.Uuid(), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.String(length=200), nullable=False),
    sa.Column('joined_on', sa.Date(), nullable=False),
    sa.Column('trained_on', sa.Date(), nullable=True),
    sa.Column('secrecy_commitment', sa.Boolean(), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('vetting_status', sa.String(length=20), nullable=False),
    sa.Column('vetting_requested_on', sa.Date(), nullable=True),
    sa.Column('vetting_requested_by', sa.Uuid(), nullable=True),
    sa.Column('vetting_reference', sa.String(length=100), nullable=True),
    sa.Column('vetting_decided_on', sa.Date(), nullable=True),
    sa.Column('vetting_decided_by', sa.Uuid(), nullable=True),
    sa.Column('created_by', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['province_code'], ['provinces.code'], name=op.f('fk_staff_members_province_code_provinces')),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_staff_members_site_id_sites')),
    sa.ForeignKeyConstraint(['vetting_requested_by'], ['users.id'], name=op.f('fk_staff_members_vetting_requested_by_users')),
    sa.ForeignKeyConstraint(['vetting_decided_by'], ['users.id'], name=op.f('fk_staff_members_vetting_decided_by_users')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_staff_members_created_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_members'))
    )
    op.create_index(op.f('ix_staff_members_province_code'), 'staff_members', ['province_code'], unique=False)
    op.create_index(op.f('ix_staff_members_site_id'), 'staff_members', ['site_id'], unique=False)
    op.create_index(op.f('ix_staff_members_vetting_status'), 'staff_members', ['vetting_status'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_staff_members_vetting_status'), table_name='staff_members')
    op.drop_index(op.f('ix_staff_members_site_id'), table_name='staff_members')
    op.drop_index(op.f('ix_staff_members_province_code'), table_name='staff_members')
    op.drop_table('staff_members')
    op.drop_index(op.f('ix_provision_reminders_province_code'), table_name='provision_reminders')
    op.drop_table('provision_reminders')
    op.drop_index(op.f('ix_provision_reports_status'), table_name='provision_reports')
    op.drop_index(op.f('ix_provision_reports_province_code'), table_name='provision_reports')
    op.drop_table('provision_reports')
