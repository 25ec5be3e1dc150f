"""usage_week, usage_pull, usage_login: the AI tools' usage, counted (Attested and used)

The AI tools' own records of who used them are pulled once a day, matched to Slack people
(by email, or the mapping file's logins: usage_login) and counted per team, week and tool
(usage_week); each usage source's last day pulled whole and its failure are kept in
usage_pull. Counts only: no table holds a person's usage (storage/usage.py). No existing
row changes.

Revision ID: 0069
Revises: 0068
Create Date: 2026-11-29 14:43:51
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = "0069"
down_revision = "0068"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "usage_week",
        sa.Column("channel_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("tool", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("active", sa.Integer(), nullable=False),
        sa.Column("active_days", sa.Integer(), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("pulled_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("active >= 0 AND active <= people", name=op.f("ck_usage_week_active")),
        sa.CheckConstraint(
            "active_days >= active AND active_days <= 7 * active", name=op.f("ck_usage_week_active_days")
        ),
        sa.CheckConstraint("seats >= 0 AND seats <= people", name=op.f("ck_usage_week_seats")),
        sa.PrimaryKeyConstraint("channel_id", "tool", "week", name=op.f("pk_usage_week")),
    )
    op.create_table(
        "usage_pull",
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("failing_since", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("told", sa.Boolean(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_usage_pull")),
    )
    op.create_table(
        "usage_login",
        sa.Column("tool", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("login", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.PrimaryKeyConstraint("tool", "login", name=op.f("pk_usage_login")),
    )


def downgrade() -> None:
    op.drop_table("usage_login")
    op.drop_table("usage_pull")
    op.drop_table("usage_week")
