"""setup_said: what an adopter's champion (else owner) said of its setup

Asked once at an adopting playbook's first check-in answered (cadence/setup_said.py): the
minutes its setup took all in, whether a meeting was needed to understand it, who said it
and when; one row a playbook. A new table: no existing row changes.

Revision ID: 0073
Revises: 0072
Create Date: 2026-12-02 10:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = "0073"
down_revision = "0072"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "setup_said",
        sa.Column("playbook_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("meeting", sa.Boolean(), nullable=False),
        sa.Column("said_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("said_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("minutes BETWEEN 1 AND 2400", name=op.f("ck_setup_said_minutes")),
        sa.ForeignKeyConstraint(["playbook_id"], ["playbook.id"], name=op.f("fk_setup_said_playbook_id_playbook")),
        sa.PrimaryKeyConstraint("playbook_id", name=op.f("pk_setup_said")),
    )


def downgrade() -> None:
    op.drop_table("setup_said")
