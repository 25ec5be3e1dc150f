"""exception_report: the exception queue's index, each step's exceptions oldest first

`/rollout status` lists a playbook's open exception-queue items by step: how many each
step has, and its five oldest. With a thousand open exceptions, ranking them all to
keep five cost SQLite three times `kpi`'s request (bench/README.md, every subcommand's
p99 at most 3x `kpi`'s). With this index a step's exceptions are counted in the index
alone (less the closed ones, read from the moves), and its five oldest open ones are
its first open entries. Partial, as the other report indexes: a withdrawn exception
leaves it.

Revision ID: 0038
Revises: 0037
Create Date: 2026-11-25 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0038'
down_revision = '0037'
branch_labels = None
depends_on = None

COUNTS = sa.text("withdrawn_at IS NULL")


def upgrade() -> None:
    op.create_index(
        'ix_exception_report_queue',
        'exception_report',
        ['playbook_id', 'step_id', 'reported_at', 'id', 'withdrawn_at'],
        unique=False,
        sqlite_where=COUNTS,
        postgresql_where=COUNTS,
    )


def downgrade() -> None:
    op.drop_index('ix_exception_report_queue', table_name='exception_report')
