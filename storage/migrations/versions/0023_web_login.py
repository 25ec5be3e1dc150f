"""web_login: the web view's one-time sign-in links

`/rollout web` answers with a link good for ten minutes and once; only its hash is kept.

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-23 19:30:00
"""

from alembic import op
import sqlalchemy as sa

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('web_login',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_web_login'))
    )


def downgrade() -> None:
    op.drop_table('web_login')
