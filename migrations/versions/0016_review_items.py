"""review items: the items a supervisor marks when returning an inspection

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 23:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


# Plain ALTER TABLE on both databases: SQLite adds (and, since 3.35, drops) a column in place,
# where batch mode would copy `inspections`, which answers, photos and findings reference.
def upgrade() -> None:
    op.add_column('inspections', sa.Column('review_items', JSON, nullable=False,
                                           server_default=sa.text("'[]'")))


def downgrade() -> None:
    op.drop_column('inspections', 'review_items')
