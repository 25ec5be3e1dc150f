"""readiness_notice: the playbooks owed one notice of what the new readiness rules miss (issue 81)

The readiness rules changed (three states, evidence needs cases, the input contract's
fields, input checks 7 weeks in 8, operational owners named). No closed week's verdict
changes: verdicts are kept rows, and the new rules apply to the next evaluation. Each
playbook running at the upgrade (active or paused; not a draft, which was never judged,
nor a retired one) is recorded as owed one DM to its owner saying what readiness now
misses; the clock sends it once and deletes the row in the same unit of work
(usecases/readiness_news.py). A playbook made later owes none: the rules it meets are
the only ones it has known.

A table of its own rather than a setting: one row a playbook, deleted with the DM's
record, so two clocks or a restart clear each debt once without rewriting a shared list.

Revision ID: 0063
Revises: 0062
Create Date: 2026-11-27 15:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0063'
down_revision = '0062'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'readiness_notice',
        sa.Column('playbook_id', sa.Integer(), sa.ForeignKey('playbook.id'), primary_key=True, autoincrement=False),
    )
    op.execute(
        "INSERT INTO readiness_notice (playbook_id) SELECT id FROM playbook WHERE status IN ('active', 'paused')"
    )


def downgrade() -> None:
    op.drop_table('readiness_notice')
