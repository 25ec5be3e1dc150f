"""person's names and channel_name: pages show people and channels by name

The web view, the CSVs and the demo's transcript showed raw Slack ids. The clock now asks
Slack for the names of the people and channels the bot shows (users.info,
conversations.info) and keeps them; `user_change` and `channel_rename` keep them current.
Pages read them from here and never ask Slack.

Revision ID: 0036
Revises: 0035
Create Date: 2026-11-25 07:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0036'
down_revision = '0035'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('channel_name',
    sa.Column('channel_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('named_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('channel_id', name=op.f('pk_channel_name'))
    )
    # Added columns, all nullable: SQLite adds them in place, no copy of the table.
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('display_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))
        batch_op.add_column(sa.Column('real_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))
        batch_op.add_column(sa.Column('named_at', storage.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('named_at')
        batch_op.drop_column('real_name')
        batch_op.drop_column('display_name')
    op.drop_table('channel_name')
