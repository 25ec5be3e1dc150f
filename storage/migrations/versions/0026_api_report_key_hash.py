"""api_report_key.report_hash: a key used again is a duplicate only for the same report

A report whose idempotency key its token had used before was answered as a duplicate
whatever it said, so a second, different report under a reused key was dropped without
a word. The SHA-256 of the fields each key's report was sent with is kept now, and a
different report under a used key is refused. Keys stored before have none: any report
under them is still answered as the first one was.

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-25 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('api_report_key', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_hash', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('api_report_key', schema=None) as batch_op:
        batch_op.drop_column('report_hash')
