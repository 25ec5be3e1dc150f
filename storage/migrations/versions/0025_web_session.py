"""web_session: the web view's sessions, so that sign-out ends one on the server

The session cookie was signed and good for 12 hours whatever happened: after sign-out,
a copy of it still signed in. Now it carries the id of a row (only the id's hash is
kept) that sign-out deletes.

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-24 19:30:00
"""

from alembic import op
import sqlalchemy as sa

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('web_session',
    sa.Column('session_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('session_hash', name=op.f('pk_web_session'))
    )


def downgrade() -> None:
    op.drop_table('web_session')
