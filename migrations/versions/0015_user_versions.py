"""user versions: an admin's change to a user carries If-Match like every other write

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE on both databases: SQLite adds (and, since 3.35, drops) a column in place,
# where batch mode would copy `users`, which most tables reference.
def upgrade() -> None:
    op.add_column('users', sa.Column('version', sa.Integer(), nullable=False,
                                     server_default=sa.text('1')))


def downgrade() -> None:
    op.drop_column('users', 'version')
