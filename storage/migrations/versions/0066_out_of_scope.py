"""out_of_scope_count: a step's cases out of scope each week (issue 97, item 2)

`/rollout cases <playbook> <step> <count> out:N` and the week form keep how many of the
step's cases in the week fell outside its declared boundaries and were routed to people;
status shows the share ("12% of cases out of scope"). Append-only, the latest row of a
(step, week) counts. No existing row changes.

Revision ID: 0066
Revises: 0065
Create Date: 2026-11-28 05:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = "0066"
down_revision = "0065"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "out_of_scope_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("playbook_id", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("reported_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("reported_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("count >= 0", name=op.f("ck_out_of_scope_count_nonnegative")),
        sa.ForeignKeyConstraint(
            ["playbook_id"], ["playbook.id"], name=op.f("fk_out_of_scope_count_playbook_id_playbook")
        ),
        sa.ForeignKeyConstraint(["step_id"], ["step.id"], name=op.f("fk_out_of_scope_count_step_id_step")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_out_of_scope_count")),
    )
    with op.batch_alter_table("out_of_scope_count", schema=None) as batch_op:
        batch_op.create_index("ix_out_of_scope_count_week", ["playbook_id", "week_start", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("out_of_scope_count", schema=None) as batch_op:
        batch_op.drop_index("ix_out_of_scope_count_week")
    op.drop_table("out_of_scope_count")
