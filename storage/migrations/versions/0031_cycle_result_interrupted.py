"""a cycle result says whether its cycle was interrupted (paused or retired before its
fourth week), as the close knew when it recorded it: the stall rule and the replication
verdicts pass interrupted cycles over.

Rows recorded before this hold no such fact; they are filled in once here from their
dates: a completed cycle's last week closes 4 weeks after its first Monday (less up to 14
hours of time zone), an interrupted one's at most 3 weeks after it plus 72 hours of
grace, so a result that closed less than 26 days after its start was interrupted.

Revision ID: 0031
Revises: 0030
Create Date: 2026-11-25 04:40:00
"""

from datetime import date, datetime, timedelta

from alembic import op
import sqlalchemy as sa


revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None

COMPLETED_AFTER = timedelta(days=26)


def upgrade() -> None:
    with op.batch_alter_table('cycle_result') as batch:
        batch.add_column(sa.Column('interrupted', sa.Boolean(), nullable=False, server_default=sa.false()))
    table = sa.table(
        'cycle_result',
        sa.column('id', sa.Integer()),
        sa.column('starts_on', sa.Date()),
        sa.column('closed_at', sa.DateTime(timezone=True)),
        sa.column('interrupted', sa.Boolean()),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(table.c.id, table.c.starts_on, table.c.closed_at)).all()
    interrupted = [row.id for row in rows if _interrupted(row.starts_on, row.closed_at)]
    if interrupted:
        bind.execute(sa.update(table).where(table.c.id.in_(interrupted)).values(interrupted=True))


def _interrupted(starts_on: date, closed_at: datetime | None) -> bool:
    return closed_at is not None and closed_at.date() < starts_on + COMPLETED_AFTER


def downgrade() -> None:
    with op.batch_alter_table('cycle_result') as batch:
        batch.drop_column('interrupted')
