"""indexes for the decision log and the digest: reads that stepped over the whole history

`/rollout history` lists a playbook's latest decisions other than its weekly verdicts
and guardrail readings. Those weekly rows are most of the table (six a playbook-week),
and the only index by playbook holds them all, so the read stepped over every verdict
back to the last few decisions worth listing: more with every week of history.
ix_decision_log holds just the rows it lists.

The curators' digest reads the week's mode changes across the org, and the org's
exception ratio of the last eight weeks from the verdicts. The first went through
each playbook's whole record, the second read the whole verdict table: a digest of
1,000 playbooks took 0.73 s with 8 weeks of history and 0.96 s with 104.
ix_decision_mode_changes and ix_step_verdict_week bound both to the weeks they show.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-22 16:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

LOGGED = sa.text("kind NOT IN ('verdict', 'guardrail')")
MODE_CHANGES = sa.text("kind = 'mode-change'")


def upgrade() -> None:
    op.create_index(
        'ix_decision_log',
        'decision',
        ['playbook_id', 'id'],
        sqlite_where=LOGGED,
        postgresql_where=LOGGED,
    )
    op.create_index(
        'ix_decision_mode_changes',
        'decision',
        ['decided_at'],
        sqlite_where=MODE_CHANGES,
        postgresql_where=MODE_CHANGES,
    )
    op.create_index('ix_step_verdict_week', 'step_verdict', ['week_start'])


def downgrade() -> None:
    op.drop_index('ix_step_verdict_week', table_name='step_verdict')
    op.drop_index('ix_decision_mode_changes', table_name='decision')
    op.drop_index('ix_decision_log', table_name='decision')
