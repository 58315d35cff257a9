"""one audit chain per scope (a province's writes, its reads, the national ones) instead of one
national chain whose single head row every writer in the country locked

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 13:00:00

The existing chain is kept as it is, frozen under the name `legacy`: its entries keep their
hashes (the digest of a legacy entry is unchanged), they are numbered 1..N in id order, and its
head row keeps its count and hash, so it verifies as before and checkpoints anchored before the
split still match it. Every new chain starts where the legacy one ends (`base_position` N,
`base_hash` its head's hash): positions stay unique across the split, so a tablet's feed cursor
from before the split still pulls everything after it.

`sync_feed.seq` becomes a position in its province's chain: unique per province, no longer
across the country.

Downgrade is refused once a province chain holds entries: folding several chains back into one
would rewrite their hashes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEGACY = "legacy"
GENESIS = "0" * 64


def upgrade() -> None:
    with op.batch_alter_table('audit_log') as batch_op:
        batch_op.add_column(sa.Column('chain', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('position', sa.BigInteger(), nullable=True))
    op.execute(sa.text(
        "UPDATE audit_log SET chain = :legacy, position = numbered.n FROM "
        "(SELECT id, row_number() OVER (ORDER BY id) AS n FROM audit_log) AS numbered "
        "WHERE audit_log.id = numbered.id").bindparams(legacy=LEGACY))
    with op.batch_alter_table('audit_log') as batch_op:
        batch_op.alter_column('chain', existing_type=sa.String(length=16), nullable=False)
        batch_op.alter_column('position', existing_type=sa.BigInteger(), nullable=False)
        batch_op.create_unique_constraint('uq_audit_log_chain_position', ['chain', 'position'])

    op.create_table(
        'audit_heads',
        sa.Column('chain', sa.String(length=16), nullable=False),
        sa.Column('entries', sa.BigInteger(), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.Column('base_position', sa.BigInteger(), nullable=False),
        sa.Column('base_hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('chain', name=op.f('pk_audit_heads')))
    op.execute(sa.text(
        "INSERT INTO audit_heads (chain, entries, hash, base_position, base_hash) "
        "SELECT :legacy, entries, hash, 0, :genesis FROM audit_head WHERE id = 1"
    ).bindparams(legacy=LEGACY, genesis=GENESIS))
    op.drop_table('audit_head')
    op.rename_table('audit_heads', 'audit_head')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("ALTER TABLE audit_head RENAME CONSTRAINT pk_audit_heads TO pk_audit_head")

    with op.batch_alter_table('sync_feed') as batch_op:
        batch_op.drop_constraint('uq_sync_feed_seq', type_='unique')
        batch_op.drop_index('ix_sync_feed_province_seq')
        batch_op.create_unique_constraint('uq_sync_feed_province_seq', ['province_code', 'seq'])


def downgrade() -> None:
    bind = op.get_bind()
    split = bind.execute(sa.text("SELECT COUNT(*) FROM audit_log WHERE chain <> :legacy"),
                         {"legacy": LEGACY}).scalar()
    if split:
        raise RuntimeError("the audit log has entries in province chains: they cannot be folded "
                           "back into one chain without rewriting their hashes")
    with op.batch_alter_table('sync_feed') as batch_op:
        batch_op.drop_constraint('uq_sync_feed_province_seq', type_='unique')
        batch_op.create_index('ix_sync_feed_province_seq', ['province_code', 'seq'])
        batch_op.create_unique_constraint('uq_sync_feed_seq', ['seq'])
    op.create_table(
        'audit_head_one',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('entries', sa.BigInteger(), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_head_one')))
    op.execute(sa.text(
        "INSERT INTO audit_head_one (id, entries, hash) SELECT 1, entries, hash FROM audit_head "
        "WHERE chain = :legacy").bindparams(legacy=LEGACY))
    op.drop_table('audit_head')
    op.rename_table('audit_head_one', 'audit_head')
    if bind.dialect.name == 'postgresql':
        op.execute("ALTER TABLE audit_head RENAME CONSTRAINT pk_audit_head_one TO pk_audit_head")
    with op.batch_alter_table('audit_log') as batch_op:
        batch_op.drop_constraint('uq_audit_log_chain_position', type_='unique')
        batch_op.drop_column('position')
        batch_op.drop_column('chain')
