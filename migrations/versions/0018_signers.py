"""signers: the officials who sign each province's documents; notices and reports name theirs,
and reports get a number; a post office names who signs its provision report

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 05:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from inspection.db import UTCDateTime

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('signers',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('province_code', sa.String(length=2), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('delegation', sa.String(length=100), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_signers_created_by_users')),
    sa.ForeignKeyConstraint(['province_code'], ['provinces.code'], name=op.f('fk_signers_province_code_provinces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signers'))
    )
    op.create_index(op.f('ix_signers_province_code'), 'signers', ['province_code'], unique=False)
    # Plain ALTER TABLE: nullable columns without a key, added in place on both databases.
    op.add_column('provision_reports', sa.Column('signer_name', sa.String(length=200), nullable=True))
    op.add_column('provision_reports', sa.Column('signer_title', sa.String(length=100), nullable=True))
    # batch mode: SQLite copies the table where it cannot add a foreign key; PostgreSQL alters.
    with op.batch_alter_table('notices') as batch_op:
        batch_op.add_column(sa.Column('signer_id', sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(op.f('fk_notices_signer_id_signers'), 'signers',
                                    ['signer_id'], ['id'])
    with op.batch_alter_table('reports') as batch_op:
        batch_op.add_column(sa.Column('signer_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('issuer', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('number_year', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('number', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f('fk_reports_signer_id_signers'), 'signers',
                                    ['signer_id'], ['id'])
        batch_op.create_unique_constraint('uq_reports_issuer_province_year_number',
                                          ['issuer', 'province_code', 'number_year', 'number'])


def downgrade() -> None:
    with op.batch_alter_table('reports') as batch_op:
        batch_op.drop_constraint('uq_reports_issuer_province_year_number', type_='unique')
        batch_op.drop_constraint(op.f('fk_reports_signer_id_signers'), type_='foreignkey')
        batch_op.drop_column('number')
        batch_op.drop_column('number_year')
        batch_op.drop_column('issuer')
        batch_op.drop_column('signer_id')
    with op.batch_alter_table('notices') as batch_op:
        batch_op.drop_constraint(op.f('fk_notices_signer_id_signers'), type_='foreignkey')
        batch_op.drop_column('signer_id')
    op.drop_column('provision_reports', 'signer_title')
    op.drop_column('provision_reports', 'signer_name')
    op.drop_index(op.f('ix_signers_province_code'), table_name='signers')
    op.drop_table('signers')
