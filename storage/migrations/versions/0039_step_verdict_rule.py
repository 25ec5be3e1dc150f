"""step_verdict: the rule that gave each verdict, so the web view and status say why

A week's verdict was kept with its numbers but not its rule (cadence.rules.VerdictRule),
so the steps × weeks grid and `/rollout status` could not say why a week was
INCONCLUSIVE. Nullable: verdicts recorded before this say "reason not recorded".

Revision ID: 0039
Revises: 0038
Create Date: 2026-11-26 01:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0039'
down_revision = '0038'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('step_verdict', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rule', sqlmodel.sql.sqltypes.AutoString(length=48), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('step_verdict', schema=None) as batch_op:
        batch_op.drop_column('rule')
