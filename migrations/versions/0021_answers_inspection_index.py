"""answers: drop `ix_answers_inspection_id`, which `uq_answers_inspection_item` (inspection_id,
item_code) already serves (its leading column): one index fewer to write per answer

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 19:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index('ix_answers_inspection_id', table_name='answers')


def downgrade() -> None:
    op.create_index('ix_answers_inspection_id', 'answers', ['inspection_id'], unique=False)
