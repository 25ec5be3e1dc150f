"""usage_seat: a tool's seats in a week, counted (Licenses against results)

A tool's seats as it lists them at a pull, set beside each week the pull covered: the
org's (function '') and each function's (the seat holders who are people of the teams of
its playbooks), and how many of their holders used the tool that week. Counts only, never
whose seat; written with usage_week in the pull's unit of work (storage/usage.py). NULL
seats: the tool lists none. No existing row changes.

Revision ID: 0071
Revises: 0070
Create Date: 2026-11-29 17:40:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = "0071"
down_revision = "0070"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "usage_seat",
        sa.Column("tool", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("function", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=True),
        sa.Column("active", sa.Integer(), nullable=True),
        sa.Column("pulled_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("(seats IS NULL) = (active IS NULL)", name=op.f("ck_usage_seat_known")),
        sa.CheckConstraint("active >= 0 AND active <= seats", name=op.f("ck_usage_seat_active")),
        sa.PrimaryKeyConstraint("tool", "week", "function", name=op.f("pk_usage_seat")),
    )


def downgrade() -> None:
    op.drop_table("usage_seat")
