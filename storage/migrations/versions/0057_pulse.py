"""pulse_answer, pulse_key: the anonymous pulse once a cycle (issue 82)

An answer is kept with its playbook and cycle, never its person: one a person per cycle
by a keyed hash under the cycle's random key (pulse_key), which the cycle's close deletes
as it relabels the answers at random. Nothing to migrate: no pulse was asked before.

Revision ID: 0057
Revises: 0053
Create Date: 2026-11-27 10:40:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0057"
down_revision = "0053"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pulse_answer",
        sa.Column("playbook_id", sa.Integer(), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("voter", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("trust", sa.Integer(), nullable=True),
        sa.Column("around", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
        sa.Column("safety", sa.Integer(), nullable=True),
        sa.Column("freed", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
        sa.CheckConstraint(
            "around IS NULL OR around IN ('never', 'sometimes', 'often')", name=op.f("ck_pulse_answer_around")
        ),
        sa.CheckConstraint(
            "freed IS NULL OR freed IN ('same', 'new', 'quality', 'meetings', 'none')",
            name=op.f("ck_pulse_answer_freed"),
        ),
        sa.CheckConstraint("safety IS NULL OR safety BETWEEN 1 AND 5", name=op.f("ck_pulse_answer_safety")),
        sa.CheckConstraint("trust IS NULL OR trust BETWEEN 1 AND 5", name=op.f("ck_pulse_answer_trust")),
        sa.ForeignKeyConstraint(["playbook_id"], ["playbook.id"], name=op.f("fk_pulse_answer_playbook_id_playbook")),
        sa.PrimaryKeyConstraint("playbook_id", "cycle", "voter", name=op.f("pk_pulse_answer")),
    )
    op.create_table(
        "pulse_key",
        sa.Column("playbook_id", sa.Integer(), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("secret", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(["playbook_id"], ["playbook.id"], name=op.f("fk_pulse_key_playbook_id_playbook")),
        sa.PrimaryKeyConstraint("playbook_id", "cycle", name=op.f("pk_pulse_key")),
    )


def downgrade() -> None:
    op.drop_table("pulse_key")
    op.drop_table("pulse_answer")
