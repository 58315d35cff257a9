"""legal references: the register checklist items cite, with status and period in force

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 05:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from inspection.db import UTCDateTime

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('legal_references',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('instrument', sa.String(length=300), nullable=False),
    sa.Column('article', sa.String(length=200), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('issuing_body', sa.String(length=200), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('superseded_by_id', sa.Uuid(), nullable=True),
    sa.Column('province_code', sa.String(length=2), nullable=True),
    sa.Column('verified_by', sa.Uuid(), nullable=True),
    sa.Column('verified_at', UTCDateTime(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['legal_references.id'], name=op.f('fk_legal_references_superseded_by_id_legal_references')),
    sa.ForeignKeyConstraint(['province_code'], ['provinces.code'], name=op.f('fk_legal_references_province_code_provinces')),
    sa.ForeignKeyConstraint(['verified_by'], ['users.id'], name=op.f('fk_legal_references_verified_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_references')),
    sa.UniqueConstraint('instrument', 'article', name='uq_legal_references_instrument_article')
    )
    op.create_index(op.f('ix_legal_references_status'), 'legal_references', ['status'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_legal_references_status'), table_name='legal_references')
    op.drop_table('legal_references')
