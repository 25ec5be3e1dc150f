"""depth over months: who reported each week, and each verdict's mode by week

The web view charts the org's cases, the share of steps AI-led or collaborative and the
people who reported, per week over two years (storage/depth.py). Without these, the
people were found by reading every report table whole, and the modes from every
verdict's row: 2.3 s for 1,000 playbooks with 104 weeks on SQLite, against the
overview's budget of 1 s. Partial, as the other report indexes: reports that count
(with withdrawn_at, always null there, as SQLite 3.40 reads the table for a column of
the index's condition).

Revision ID: 0032
Revises: 0031
Create Date: 2026-11-25 04:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None

REPORTERS = (
    ('kpi_reading', 'reported_by'),
    ('guardrail_reading', 'reported_by'),
    ('exception_report', 'reported_by'),
    ('case_count', 'reported_by'),
    ('rubric_score', 'reported_by'),
    ('checkin', 'user_id'),
)
COUNTS = sa.text('withdrawn_at IS NULL')


def upgrade() -> None:
    for table, reporter in REPORTERS:
        op.create_index(
            f'ix_{table}_week_people',
            table,
            ['week_start', reporter, 'withdrawn_at'],
            unique=False,
            sqlite_where=COUNTS,
            postgresql_where=COUNTS,
        )
    op.create_index('ix_step_verdict_depth', 'step_verdict', ['week_start', 'playbook_id', 'mode', 'cases'])


def downgrade() -> None:
    op.drop_index('ix_step_verdict_depth', table_name='step_verdict')
    for table, _ in REPORTERS:
        op.drop_index(f'ix_{table}_week_people', table_name=table)
