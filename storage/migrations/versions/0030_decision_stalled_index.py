"""an index of the stalls: which playbooks are stalled, and since when

Status, the curators' digest and the web overview ask it of every playbook they show;
the stalls are a handful of rows among the decisions, which hold six a playbook-week.

Revision ID: 0030
Revises: 0029
Create Date: 2026-11-25 04:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None

STALLED = sa.text("kind = 'stalled'")


def upgrade() -> None:
    op.create_index(
        'ix_decision_stalled',
        'decision',
        ['playbook_id', 'week_start'],
        sqlite_where=STALLED,
        postgresql_where=STALLED,
    )


def downgrade() -> None:
    op.drop_index('ix_decision_stalled', table_name='decision')
