"""cycle results count the weeks that met the target (the scale rule, week by week)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 10:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cycle_result', schema=None) as batch_op:
        batch_op.add_column(sa.Column('weeks_met', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('cycle_result', schema=None) as batch_op:
        batch_op.drop_column('weeks_met')
