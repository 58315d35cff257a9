"""notices record the photo evidence their appendix printed

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 14:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    with op.batch_alter_table('notices') as batch:
        batch.add_column(sa.Column('evidence', JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('notices') as batch:
        batch.drop_column('evidence')
