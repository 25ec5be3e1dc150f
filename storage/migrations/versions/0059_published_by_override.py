"""registry_version.override_reason: a version published by override (issue 80)

`/rollout publish` of a playbook whose scale rule never held is refused unless a curator
gives `override <reason>`; such a version says "published by override: the KPI was not
sustained — <reason>" wherever it is listed, and has no origin change to replicate against.
Null for every version kept before: they keep the origin change they had.

Revision ID: 0059
Revises: 0058
Create Date: 2026-11-27 11:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0059'
down_revision = '0058'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('registry_version', sa.Column('override_reason', sa.Text(), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE registry_version DROP COLUMN override_reason")
