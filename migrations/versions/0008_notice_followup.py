"""notice follow-up: the post office's remediation report, the inspector's verification,
and the reminders sent for overdue notices (one per notice and day)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from inspection.db import UTCDateTime

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('notices') as batch_op:
        batch_op.add_column(sa.Column('remediation_report', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('remediated_by', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('remediated_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('remediation_photo_ids', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('review_decision', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('review_comment', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_by', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_at', UTCDateTime(), nullable=True))
        batch_op.create_foreign_key(op.f('fk_notices_remediated_by_users'), 'users',
                                    ['remediated_by'], ['id'])
        batch_op.create_foreign_key(op.f('fk_notices_reviewed_by_users'), 'users',
                                    ['reviewed_by'], ['id'])
    op.create_index(op.f('ix_notices_due_on'), 'notices', ['due_on'], unique=False)
    op.create_table('notice_reminders',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('notice_id', sa.Uuid(), nullable=False),
    sa.Column('reminded_on', sa.Date(), nullable=False),
    sa.Column('days_overdue', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['notice_id'], ['notices.id'], name=op.f('fk_notice_reminders_notice_id_notices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_reminders')),
    sa.UniqueConstraint('notice_id', 'reminded_on', name='uq_notice_reminders_notice_id_reminded_on')
    )


def downgrade() -> None:
    op.drop_table('notice_reminders')
    op.drop_index(op.f('ix_notices_due_on'), table_name='notices')
    with op.batch_alter_table('notices') as batch_op:
        batch_op.drop_constraint(op.f('fk_notices_reviewed_by_users'), type_='foreignkey')
        batch_op.drop_constraint(op.f('fk_notices_remediated_by_users'), type_='foreignkey')
        batch_op.drop_column('reviewed_at')
        batch_op.drop_column('reviewed_by')
        batch_op.drop_column('review_comment')
        batch_op.drop_column('review_decision')
        batch_op.drop_column('remediation_photo_ids')
        batch_op.drop_column('remediated_at')
        batch_op.drop_column('remediated_by')
        batch_op.drop_column('remediation_report')
