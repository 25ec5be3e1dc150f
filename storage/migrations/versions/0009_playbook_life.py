"""a playbook's life: paused, resumed, retired since when and why; a run of cycles that ended

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 10:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('playbook', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_since', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('status_reason', sa.Text(), nullable=True))
    with op.batch_alter_table('cycle', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ends_after', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('cycle', schema=None) as batch_op:
        batch_op.drop_column('ends_after')
    with op.batch_alter_table('playbook', schema=None) as batch_op:
        batch_op.drop_column('status_reason')
        batch_op.drop_column('status_since')
