"""seen requests

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 02:59:01.205027
"""

from alembic import op
import sqlalchemy as sa



revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('seen_request',
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_seen_request'))
    )


def downgrade() -> None:
    op.drop_table('seen_request')
