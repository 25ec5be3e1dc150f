"""form_time: when a form the bot opened for a person opened, and when it was submitted
(issue 97, item 7: an adopter's active setup time is its people's form time, not days)

Revision ID: 0067
Revises: 0066
Create Date: 2026-11-28 04:48:49
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = "0067"
down_revision = "0066"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "form_time",
        sa.Column("view_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("callback_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("opened_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("view_id", name=op.f("pk_form_time")),
    )
    with op.batch_alter_table("form_time", schema=None) as batch_op:
        batch_op.create_index("ix_form_time_user_opened", ["user_id", "opened_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("form_time", schema=None) as batch_op:
        batch_op.drop_index("ix_form_time_user_opened")
    op.drop_table("form_time")
