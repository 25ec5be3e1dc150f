"""playbook.handoff_since: when a playbook's handoff terms began (issue 78)

Adding `handoff` to a playbook with old unanswered exception items escalated them all at
once, 50 a minute. The clock now escalates one by one only the items logged since the
revision that added the terms (`handoff_since`), and tells `escalate_to` once, in one
summary, of the unanswered items logged before (`handoff_backlog_at`: when it did). Both
null for every playbook kept before: a playbook that had its terms then had its items
escalated already, and null reads as "since the playbook was made", as before.

Revision ID: 0053
Revises: 0052
Create Date: 2026-11-28 10:00:00
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = '0053'
down_revision = '0052'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('playbook', sa.Column('handoff_since', storage.types.UTCDateTime(timezone=True), nullable=True))
    op.add_column('playbook', sa.Column('handoff_backlog_at', storage.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # SQLite drops a column in place (3.35 on): a batch would copy playbook, which the
    # foreign keys of every other table refuse.
    op.execute("ALTER TABLE playbook DROP COLUMN handoff_backlog_at")
    op.execute("ALTER TABLE playbook DROP COLUMN handoff_since")
