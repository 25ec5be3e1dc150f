"""decision indexes for the rules' look back: mode changes and rejections by step, guardrail readings by playbook

Every week close and every status reads each step's mode changes and rejected
proposals, and each playbook's guardrail weeks, since its oldest verdict in the window.
The decision table keeps every decision ever made (six rows a playbook-week), and its
only index was by playbook and id, so these reads scanned the table or a playbook's
whole record, and grew with history. Partial indexes hold just the rows they read.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22 14:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

CHANGES = sa.text("kind IN ('mode-change', 'proposal-rejected')")
GUARDRAIL = sa.text("kind = 'guardrail'")


def upgrade() -> None:
    op.create_index(
        'ix_decision_step_changes',
        'decision',
        ['step_id', 'week_start'],
        sqlite_where=CHANGES,
        postgresql_where=CHANGES,
    )
    op.create_index(
        'ix_decision_guardrail',
        'decision',
        ['playbook_id', 'week_start'],
        sqlite_where=GUARDRAIL,
        postgresql_where=GUARDRAIL,
    )


def downgrade() -> None:
    op.drop_index('ix_decision_guardrail', table_name='decision')
    op.drop_index('ix_decision_step_changes', table_name='decision')
