"""cycle.baseline_week and playbook.baseline_measured: an adopter's baseline week (issue 81)

An adopting team's first cycle starts on the Monday after a baseline week in which it
reports its KPI as it works today (docs/judgement.md, "The baseline week"): that week's
Monday is kept on the first cycle's row; the week's close sets the adopter's KPI baseline
to the week's mean and keeps it in `baseline_measured`, so the baseline is measured, not
declared. Both null for every row kept before: no adoption had a baseline week.

Revision ID: 0061
Revises: 0060
Create Date: 2026-11-30 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0061"
down_revision = "0060"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cycle", sa.Column("baseline_week", sa.Date(), nullable=True))
    op.add_column("playbook", sa.Column("baseline_measured", sa.Float(), nullable=True))


def downgrade() -> None:
    # SQLite drops a column in place (3.35 on), as 0053 does.
    op.execute("ALTER TABLE playbook DROP COLUMN baseline_measured")
    op.execute("ALTER TABLE cycle DROP COLUMN baseline_week")
