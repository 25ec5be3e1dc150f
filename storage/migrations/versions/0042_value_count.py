"""value_count: events of a playbook's own value measure (issue 60)

A playbook's `value: {event, minutes_saved}` may name an event of its own, one that
feeds only the value measure: each API report of it is a row here with its count; a
week's events are the sum of its rows that count.

Revision ID: 0042
Revises: 0041
Create Date: 2026-11-26 04:20:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0042'
down_revision = '0041'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('value_count',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('playbook_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('event', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('reported_by', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('reported_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.CheckConstraint('count >= 0', name=op.f('ck_value_count_nonnegative')),
    sa.ForeignKeyConstraint(['playbook_id'], ['playbook.id'], name=op.f('fk_value_count_playbook_id_playbook')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_value_count'))
    )
    with op.batch_alter_table('value_count', schema=None) as batch_op:
        batch_op.create_index('ix_value_count_week', ['playbook_id', 'week_start', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('value_count', schema=None) as batch_op:
        batch_op.drop_index('ix_value_count_week')
    op.drop_table('value_count')
