"""api_rate: the reporting API's rate per token, counted in the database

The limit of 20 requests a second per token was counted by each serving process, so
N workers allowed N times as many. Every process now counts in this table: one row a
token, its latest second and the requests made in it, moved on by one UPSERT.

Revision ID: 0040
Revises: 0039
Create Date: 2026-11-26 02:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0040'
down_revision = '0039'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_rate',
    sa.Column('token_id', sa.Integer(), nullable=False),
    sa.Column('at_second', sa.BigInteger(), nullable=False),
    sa.Column('requests', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['token_id'], ['api_token.id'], name=op.f('fk_api_rate_token_id_api_token')),
    sa.PrimaryKeyConstraint('token_id', name=op.f('pk_api_rate'))
    )


def downgrade() -> None:
    op.drop_table('api_rate')
