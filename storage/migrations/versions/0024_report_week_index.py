"""an index of every report by playbook and week, withdrawn ones too

The web view's playbook page lists each report of its weeks with who sent it and who
withdrew it; the indexes of reports that count leave withdrawn ones out, so that list
read whole tables.

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


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(f'ix_{table}_week', table_name=table)
