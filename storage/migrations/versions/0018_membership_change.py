"""membership_change: each channel's count of membership changes, shared by every process

A member who left the team channel was still accepted by another web process for up to
five minutes, because each process kept its own list of the channel's members. The
process that hears of a change now counts it here, and every process keeps a list only
while the count it was read under stands.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-23 12:00:00
"""

from alembic import op
import sqlalchemy as sa

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('membership_change',
    sa.Column('channel_id', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('channel_id', name=op.f('pk_membership_change'))
    )


def downgrade() -> None:
    op.drop_table('membership_change')
