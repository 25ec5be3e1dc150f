"""pulse_voter: the pulse's keyed hashes kept apart from its answers (issue 92)

While a cycle's pulse is open, a person's keyed hash now lives in pulse_voter beside the
random label of their answer, and pulse_answer keeps the label alone (its `voter` column
renamed `label`). The close destroys the hashes with the cycle's key: overwritten on
SQLite, the table emptied by TRUNCATE on PostgreSQL (storage/pulse.py, seal).

Existing data kept: an open cycle's answers (the cycle's key still there) get a fresh
random label, their hash moved to pulse_voter, so the person answering again still
replaces their answer; a sealed cycle's answers keep the random labels they have. On
SQLite the pages the old hashes were in are overwritten as the table is rebuilt.

Revision ID: 0064
Revises: 0063
Create Date: 2026-11-27 23:00:00
"""

import secrets

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0064"
down_revision = "0063"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("PRAGMA secure_delete = ON")
    op.create_table(
        "pulse_voter",
        sa.Column("playbook_id", sa.Integer(), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("voter", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.ForeignKeyConstraint(["playbook_id"], ["playbook.id"], name=op.f("fk_pulse_voter_playbook_id_playbook")),
        sa.PrimaryKeyConstraint("playbook_id", "cycle", "voter", name=op.f("pk_pulse_voter")),
    )
    open_answers = bind.execute(
        sa.text(
            "SELECT a.playbook_id, a.cycle, a.voter FROM pulse_answer a JOIN pulse_key k "
            "ON k.playbook_id = a.playbook_id AND k.cycle = a.cycle"
        )
    ).all()
    for playbook_id, cycle, voter in open_answers:
        where = {"p": playbook_id, "c": cycle, "v": voter, "l": secrets.token_hex(16)}
        bind.execute(
            sa.text("INSERT INTO pulse_voter (playbook_id, cycle, voter, label) VALUES (:p, :c, :v, :l)"), where
        )
        bind.execute(
            sa.text("UPDATE pulse_answer SET voter = :l WHERE playbook_id = :p AND cycle = :c AND voter = :v"), where
        )
    with op.batch_alter_table("pulse_answer") as batch:
        batch.alter_column(
            "voter",
            new_column_name="label",
            existing_type=sa.String(length=64),
            existing_nullable=False,
        )


def downgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("pulse_answer") as batch:
        batch.alter_column(
            "label",
            new_column_name="voter",
            existing_type=sa.String(length=64),
            existing_nullable=False,
        )
    bind.execute(
        sa.text(
            "UPDATE pulse_answer SET voter = (SELECT v.voter FROM pulse_voter v WHERE v.playbook_id = pulse_answer.playbook_id "
            "AND v.cycle = pulse_answer.cycle AND v.label = pulse_answer.voter) WHERE EXISTS (SELECT 1 FROM pulse_voter v "
            "WHERE v.playbook_id = pulse_answer.playbook_id AND v.cycle = pulse_answer.cycle AND v.label = pulse_answer.voter)"
        )
    )
    op.drop_table("pulse_voter")
