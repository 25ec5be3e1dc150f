"""registry_version.over_readiness and publish_request: publishing over readiness needs a
second person (issue 93, item 5)

`/rollout publish <playbook> override <reason>` over missing readiness criteria is a
request (publish_request, one open per playbook, held by a partial unique index) decided by
a curator who is neither the playbook's owner nor the asker; the version it publishes keeps
which criteria were not met and why (registry_version.over_readiness), shown wherever it is
listed. Null for every version kept before.

Revision ID: 0065
Revises: 0064
Create Date: 2026-11-28 00:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = "0065"
down_revision = "0064"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("registry_version", sa.Column("over_readiness", sa.JSON(), nullable=True))
    op.create_table(
        "publish_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("playbook_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("asked_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("asked_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("decided_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("card_channel", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("card_key", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.CheckConstraint(
            "state IN ('open', 'published', 'declined', 'replaced', 'void')",
            name=op.f("ck_publish_request_state"),
        ),
        sa.ForeignKeyConstraint(
            ["playbook_id"], ["playbook.id"], name=op.f("fk_publish_request_playbook_id_playbook")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publish_request")),
    )
    with op.batch_alter_table("publish_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_publish_request_playbook_id"), ["playbook_id"], unique=False)
        batch_op.create_index(
            "uq_publish_request_open",
            ["playbook_id"],
            unique=True,
            sqlite_where=sa.text("state = 'open'"),
            postgresql_where=sa.text("state = 'open'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("publish_request", schema=None) as batch_op:
        batch_op.drop_index("uq_publish_request_open")
        batch_op.drop_index(batch_op.f("ix_publish_request_playbook_id"))
    op.drop_table("publish_request")
    op.execute("ALTER TABLE registry_version DROP COLUMN over_readiness")
