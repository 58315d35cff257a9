"""photo processing: dimensions, EXIF facts, flags, derivatives

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from inspection.db import UTCDateTime

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
COLUMNS = ('width', 'height', 'exif', 'flags', 'thumbnail_sha256', 'preview_sha256',
           'processed_at')


def upgrade() -> None:
    # batch mode: SQLite copies the table where it cannot ALTER; PostgreSQL alters in place.
    with op.batch_alter_table('photos') as batch:
        batch.add_column(sa.Column('width', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('height', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('exif', JSON, nullable=True))
        batch.add_column(sa.Column('flags', JSON, nullable=False, server_default=sa.text("'[]'")))
        batch.add_column(sa.Column('thumbnail_sha256', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('preview_sha256', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('processed_at', UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('photos') as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
