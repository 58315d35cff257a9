"""login failures by address: throttling counts one address's failures across usernames

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 14:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_login_failures_remote_addr_at', 'login_failures', ['remote_addr', 'at'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_login_failures_remote_addr_at', table_name='login_failures')
