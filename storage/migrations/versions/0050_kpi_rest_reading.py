"""kpi_rest_reading: the KPI of the rest of the work, for a KPI with `compare` (issue 72)

A playbook whose KPI is compared with the rest reports it twice a week: for the work run
through the playbook (kpi_reading, as before) and for the rest of the same work (this
table, the same shape). Nothing to migrate: no playbook compared before.

Revision ID: 0050
Revises: 0049
Create Date: 2026-11-27 01:30:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = "0050"
down_revision = "0049"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kpi_rest_reading",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("playbook_id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("reported_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("reported_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["playbook_id"], ["playbook.id"], name=op.f("fk_kpi_rest_reading_playbook_id_playbook")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpi_rest_reading")),
    )
    with op.batch_alter_table("kpi_rest_reading", schema=None) as batch_op:
        batch_op.create_index(
            "ix_kpi_rest_reading_reporter_counting",
            ["playbook_id", "reported_by", "week_start", "id"],
            unique=False,
            sqlite_where=sa.text("withdrawn_at IS NULL"),
            postgresql_where=sa.text("withdrawn_at IS NULL"),
        )
        batch_op.create_index(
            "ix_kpi_rest_reading_week_counting",
            ["playbook_id", "week_start", "id"],
            unique=False,
            sqlite_where=sa.text("withdrawn_at IS NULL"),
            postgresql_where=sa.text("withdrawn_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("kpi_rest_reading", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_kpi_rest_reading_week_counting",
            sqlite_where=sa.text("withdrawn_at IS NULL"),
            postgresql_where=sa.text("withdrawn_at IS NULL"),
        )
        batch_op.drop_index(
            "ix_kpi_rest_reading_reporter_counting",
            sqlite_where=sa.text("withdrawn_at IS NULL"),
            postgresql_where=sa.text("withdrawn_at IS NULL"),
        )

    op.drop_table("kpi_rest_reading")
