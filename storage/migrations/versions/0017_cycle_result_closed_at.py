"""cycle_result.closed_at: when the cycle's last week closed, for the digest to count it once

The digest counted a completed cycle by when the clock recorded its result, so a close
the clock caught up on after a digest's slot counted in the next week's digest instead
of the one of the week it closed in. The close's own instant is kept now. Results
recorded before are counted as they were, by when they were recorded.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-24 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cycle_result', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE cycle_result SET closed_at = recorded_at")


def downgrade() -> None:
    with op.batch_alter_table('cycle_result', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
