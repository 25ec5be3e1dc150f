"""setting.value: text of any length (was 200 characters)

The organization's usage file (`rollout usage load FILE`, usecases/usage.py) is kept as
the setting `usage_sources`, its sources as validated JSON: two sources already pass 200
characters. The column becomes TEXT; every value kept stays as it is.

Revision ID: 0070
Revises: 0069
Create Date: 2026-11-29 16:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0070"
down_revision = "0069"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("setting") as batch:
        batch.alter_column("value", type_=sa.Text(), existing_type=sa.String(length=200), existing_nullable=False)


def downgrade() -> None:
    op.execute("DELETE FROM setting WHERE length(value) > 200")  # no value that long fits the old column
    with op.batch_alter_table("setting") as batch:
        batch.alter_column("value", type_=sa.String(length=200), existing_type=sa.Text(), existing_nullable=False)
