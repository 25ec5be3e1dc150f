"""cycle_bar: the KPI baseline and target a cycle is judged by (issue 69)

A cycle is judged by the bar it started with: the close records the playbook's KPI
baseline and target for a cycle the first time it closes one of its weeks (normally its
first), and the cycle's end judges the scale rule, the KPI change, stalls, replication
and readiness by that row, whatever the target is by then. Nothing is filled in here: a
playbook mid-cycle gets its row at its next close, with the values it has then, which
are the running cycle's own unless someone changed them since it began.

Revision ID: 0045
Revises: 0044
Create Date: 2026-11-26 23:00:00
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = '0045'
down_revision = '0044'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cycle_bar',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('playbook_id', sa.Integer(), nullable=False),
    sa.Column('cycle', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('kpi_baseline', sa.Float(), nullable=False),
    sa.Column('kpi_target', sa.Float(), nullable=False),
    sa.Column('recorded_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['playbook_id'], ['playbook.id'], name=op.f('fk_cycle_bar_playbook_id_playbook')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cycle_bar')),
    sa.UniqueConstraint('playbook_id', 'cycle', name='uq_cycle_bar_playbook_cycle')
    )


def downgrade() -> None:
    op.drop_table('cycle_bar')
