"""records re-issued: an inspection has records over time, at most one issued (current) and one
in the making; a replaced record links to the record that replaced it

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 05:00:00

The unique constraint on `inspection_records.inspection_id` gives way to two partial unique
indexes (issued; pending or failed). SQLite cannot drop a table's UNIQUE constraint, so batch
mode rebuilds `inspection_records` (no table refers to it, so the rebuild is allowed with
foreign keys on); PostgreSQL alters it in place. Issued records drawn after the inspection's
last submission are backfilled as stating it; any other keeps `states_submitted_at` empty, so
asking for the record re-issues it.

Downgrade keeps one record per inspection: the replaced records and the re-issues not yet
issued beside an issued record are deleted (their stored documents stay in the blob store).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from inspection.db import UTCDateTime

revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CURRENT = "status = 'issued'"
MAKING = "status IN ('pending', 'failed')"


def upgrade() -> None:
    with op.batch_alter_table('inspection_records') as batch_op:
        batch_op.drop_constraint('uq_inspection_records_inspection_id', type_='unique')
        batch_op.add_column(sa.Column('states_submitted_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('replaces_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('replaced_by_id', sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            op.f('fk_inspection_records_replaces_id_inspection_records'),
            'inspection_records', ['replaces_id'], ['id'])
        batch_op.create_foreign_key(
            op.f('fk_inspection_records_replaced_by_id_inspection_records'),
            'inspection_records', ['replaced_by_id'], ['id'])
        batch_op.create_index(op.f('ix_inspection_records_inspection_id'), ['inspection_id'],
                              unique=False)
    for name, where in (('uq_inspection_records_current_inspection_id', CURRENT),
                        ('uq_inspection_records_making_inspection_id', MAKING)):
        op.create_index(name, 'inspection_records', ['inspection_id'], unique=True,
                        sqlite_where=sa.text(where), postgresql_where=sa.text(where))
    op.execute(
        "UPDATE inspection_records SET states_submitted_at = (SELECT i.submitted_at "
        "FROM inspections AS i WHERE i.id = inspection_records.inspection_id) "
        "WHERE status = 'issued' AND EXISTS (SELECT 1 FROM inspections AS i "
        "WHERE i.id = inspection_records.inspection_id "
        "AND i.submitted_at <= inspection_records.updated_at)")


def downgrade() -> None:
    op.execute("UPDATE inspection_records SET replaces_id = NULL, replaced_by_id = NULL")
    op.execute(
        "DELETE FROM inspection_records WHERE status = 'replaced' OR (status <> 'issued' "
        "AND EXISTS (SELECT 1 FROM inspection_records AS o WHERE o.status = 'issued' "
        "AND o.inspection_id = inspection_records.inspection_id))")
    op.drop_index('uq_inspection_records_making_inspection_id', table_name='inspection_records')
    op.drop_index('uq_inspection_records_current_inspection_id',
                  table_name='inspection_records')
    with op.batch_alter_table('inspection_records') as batch_op:
        batch_op.drop_index(op.f('ix_inspection_records_inspection_id'))
        batch_op.drop_constraint(
            op.f('fk_inspection_records_replaced_by_id_inspection_records'), type_='foreignkey')
        batch_op.drop_constraint(
            op.f('fk_inspection_records_replaces_id_inspection_records'), type_='foreignkey')
        batch_op.drop_column('replaced_by_id')
        batch_op.drop_column('replaces_id')
        batch_op.drop_column('states_submitted_at')
        batch_op.create_unique_constraint(op.f('uq_inspection_records_inspection_id'),
                                          ['inspection_id'])
