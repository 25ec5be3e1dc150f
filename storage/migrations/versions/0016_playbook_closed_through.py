"""playbook.closed_through: a report for a week the clock has closed is refused by the database

A report was judged open by the request's start time and written later (after a slow
Slack lookup), while the clock's close read the week's figures and recorded its
verdicts in between: the report was acknowledged and left out of the verdict. The close
now sets closed_through, the start of the last week it closed, in its own transaction
before it reads the figures, and a report's statement writes only if its week is later,
under a lock on the playbook row the close's update also takes.

Filled in from the closes the clock has recorded (cadence_job, kind 'close').

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-24 11:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('playbook', sa.Column('closed_through', sa.Date(), nullable=True))
    op.execute(
        """UPDATE playbook SET closed_through = (
               SELECT max(week_start) FROM cadence_job WHERE kind = 'close' AND playbook_id = playbook.id)"""
    )


def downgrade() -> None:
    with op.batch_alter_table('playbook') as batch:
        batch.drop_column('closed_through')
