"""report indexes over the reports that count: partial indexes WHERE withdrawn_at IS NULL

The latest report of a week counts, and a withdrawn one (undo) does not. The week
indexes held every report, so finding the latest walked past withdrawn rows and read
each row to see whether it was withdrawn: a busy week or a run of undos made status,
the week's figures and undo slower with every report. Each report table now has two
partial indexes: by week (and step) for the figures, and by reporter for undo.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22 12:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

COUNTS = sa.text('withdrawn_at IS NULL')
# table: (its old week index and columns, its reporter column, the step column if per step)
TABLES = {
    'checkin': (('ix_checkin_week_member', ['playbook_id', 'week_start', 'user_id', 'id']), 'user_id', ['user_id']),
    'kpi_reading': (('ix_kpi_reading_week', ['playbook_id', 'week_start', 'id']), 'reported_by', []),
    'guardrail_reading': (('ix_guardrail_reading_week', ['playbook_id', 'week_start', 'id']), 'reported_by', []),
    'exception_report': (
        ('ix_exception_report_week', ['playbook_id', 'week_start', 'step_id']),
        'reported_by',
        ['step_id'],
    ),
    'case_count': (('ix_case_count_week', ['playbook_id', 'week_start', 'step_id', 'id']), 'reported_by', ['step_id']),
    'rubric_score': (
        ('ix_rubric_score_week', ['playbook_id', 'week_start', 'step_id', 'id']),
        'reported_by',
        ['step_id'],
    ),
}


def upgrade() -> None:
    for table, ((old, _), reporter, within) in TABLES.items():
        op.drop_index(old, table_name=table)
        op.create_index(
            f'ix_{table}_week_counting',
            table,
            ['playbook_id', 'week_start', *within, 'id'],
            sqlite_where=COUNTS,
            postgresql_where=COUNTS,
        )
        op.create_index(
            f'ix_{table}_reporter_counting',
            table,
            ['playbook_id', reporter, 'week_start', 'id'],
            sqlite_where=COUNTS,
            postgresql_where=COUNTS,
        )


def downgrade() -> None:
    for table, ((old, columns), _, _) in TABLES.items():
        op.drop_index(f'ix_{table}_reporter_counting', table_name=table)
        op.drop_index(f'ix_{table}_week_counting', table_name=table)
        op.create_index(old, table, columns)
