"""api_token and api_report_key: the reporting API's tokens and idempotency keys

Numbers reported by the systems that hold them (`POST /api/v1/reports`), under tokens
that are stored only as hashes.

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-23 19:00:00
"""

from alembic import op
import sqlalchemy as sa

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=24), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('playbooks', sa.JSON(), nullable=True),
    sa.Column('kinds', sa.JSON(), nullable=False),
    sa.Column('can_read', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('name', name='uq_api_token_name'),
    sa.UniqueConstraint('token_hash', name='uq_api_token_hash')
    )
    op.create_table('api_report_key',
    sa.Column('key', sa.String(length=220), nullable=False),
    sa.Column('token_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('counts_for', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['token_id'], ['api_token.id'], name=op.f('fk_api_report_key_token_id_api_token')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_api_report_key'))
    )


def downgrade() -> None:
    op.drop_table('api_report_key')
    op.drop_table('api_token')
