"""usage_lost_day: the days a usage source can never pull whole

Microsoft 365 Copilot's report gives each user's last activity date: only its refresh
date is a whole day, and a day it skipped is known in part for good. Such a day is kept
here (a source's name and a date, nothing of anyone), so that a week holding one is never
counted "without usage" (usecases/shared/usage_weeks.py). No existing row changes: the
other sources never lose a day.

Revision ID: 0072
Revises: 0071
Create Date: 2026-12-01 10:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0072"
down_revision = "0071"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "usage_lost_day",
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("source", "day", name=op.f("pk_usage_lost_day")),
    )


def downgrade() -> None:
    op.drop_table("usage_lost_day")
