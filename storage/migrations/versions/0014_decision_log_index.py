"""decision index for the decision log: what /rollout history lists, without the weekly rows

`/rollout history` lists a playbook's latest decisions other than its weekly verdicts
and guardrail readings. Those weekly rows are most of the table (six a playbook-week),
and the only index by playbook holds them all, so the read stepped over every verdict
back to the last few decisions worth listing: more with every week of history. A
partial index holds just the rows it lists.

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


def upgrade() -> None:
    op.create_index(
        'ix_decision_log',
        'decision',
        ['playbook_id', 'id'],
        sqlite_where=LOGGED,
        postgresql_where=LOGGED,
    )


def downgrade() -> None:
    op.drop_index('ix_decision_log', table_name='decision')
