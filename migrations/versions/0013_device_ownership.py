"""a device belongs to the user who registered it: devices get the client's id as `client_id`
(unique per user, not globally), and remembered push results are keyed by user and device

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08 10:00:00

Existing devices keep their id (the client's, until now) and get it as their `client_id`.
The devices table is only altered in place (SQLite cannot rebuild a table that tokens refer
to while foreign keys are on), so the new column comes with a server default that the data
fill makes meaningless; PostgreSQL drops it again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('devices', sa.Column('client_id', sa.String(length=100), nullable=False,
                                       server_default=''))
    op.execute("UPDATE devices SET client_id = id")
    if op.get_bind().dialect.name == 'postgresql':
        op.alter_column('devices', 'client_id', server_default=None)
    op.create_index('uq_devices_user_id_client_id', 'devices', ['user_id', 'client_id'],
                    unique=True)
    with op.batch_alter_table('sync_mutations', recreate='always') as batch_op:
        batch_op.drop_constraint('pk_sync_mutations', type_='primary')
        batch_op.create_primary_key('pk_sync_mutations', ['user_id', 'device_id', 'mutation_id'])


def downgrade() -> None:
    # The older key (device, mutation) holds one result per pair: keep the earliest.
    op.execute(
        "DELETE FROM sync_mutations WHERE EXISTS (SELECT 1 FROM sync_mutations AS o "
        "WHERE o.device_id = sync_mutations.device_id "
        "AND o.mutation_id = sync_mutations.mutation_id "
        "AND (o.created_at < sync_mutations.created_at OR (o.created_at = "
        "sync_mutations.created_at AND o.user_id < sync_mutations.user_id)))")
    with op.batch_alter_table('sync_mutations', recreate='always') as batch_op:
        batch_op.drop_constraint('pk_sync_mutations', type_='primary')
        batch_op.create_primary_key('pk_sync_mutations', ['device_id', 'mutation_id'])
    op.drop_index('uq_devices_user_id_client_id', table_name='devices')
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("ALTER TABLE devices DROP COLUMN client_id")  # in place (SQLite 3.35+)
    else:
        op.drop_column('devices', 'client_id')
