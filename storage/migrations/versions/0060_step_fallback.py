"""step.fallback_mode and step.fallback_since: an ai-led step in its fallback mode (issue 81)

While an ai-led step has escalated items waiting past their SLA or past `resolve_hours`,
it runs in its handoff's `fallback` mode (cadence/escalation.py, fallback_mode): the mode
and since when, written with the team channel's notice, so it is told once when it begins
and once when it ends. Both null for every step kept before: none was falling back.

Revision ID: 0060
Revises: 0059
Create Date: 2026-11-29 10:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0060'
down_revision = '0059'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("step", sa.Column("fallback_mode", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
    op.add_column("step", sa.Column("fallback_since", storage.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # SQLite drops a column in place (3.35 on), as 0053 does.
    op.execute("ALTER TABLE step DROP COLUMN fallback_since")
    op.execute("ALTER TABLE step DROP COLUMN fallback_mode")
