"""tus uploads; photos gain filename, uploader and version

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 15:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from inspection.db import UTCDateTime

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('uploads',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('inspection_id', sa.Uuid(), nullable=False),
    sa.Column('item_code', sa.String(length=20), nullable=True),
    sa.Column('photo_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('device_id', sa.String(length=100), nullable=True),
    sa.Column('length', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=True),
    sa.Column('filetype', sa.String(length=100), nullable=True),
    sa.Column('captured_at', UTCDateTime(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('expires_at', UTCDateTime(), nullable=False),
    sa.Column('completed_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspections.id'], name=op.f('fk_uploads_inspection_id_inspections')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_uploads_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_uploads')),
    sa.UniqueConstraint('photo_id', name=op.f('uq_uploads_photo_id'))
    )
    op.create_index(op.f('ix_uploads_inspection_id'), 'uploads', ['inspection_id'], unique=False)
    op.create_index(op.f('ix_uploads_expires_at'), 'uploads', ['expires_at'], unique=False)
    # batch mode: SQLite copies the table where it cannot ALTER; PostgreSQL alters in place.
    with op.batch_alter_table('photos') as batch:
        batch.add_column(sa.Column('filename', sa.String(length=255), nullable=True))
        batch.add_column(sa.Column('uploaded_by', sa.Uuid(), nullable=True))
        batch.add_column(sa.Column('version', sa.Integer(), nullable=False,
                                   server_default=sa.text('1')))
        batch.create_foreign_key(op.f('fk_photos_uploaded_by_users'), 'users',
                                 ['uploaded_by'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('photos') as batch:
        batch.drop_constraint(op.f('fk_photos_uploaded_by_users'), type_='foreignkey')
        batch.drop_column('version')
        batch.drop_column('uploaded_by')
        batch.drop_column('filename')
    op.drop_index(op.f('ix_uploads_expires_at'), table_name='uploads')
    op.drop_index(op.f('ix_uploads_inspection_id'), table_name='uploads')
    op.drop_table('uploads')
