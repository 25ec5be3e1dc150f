"""exception_escalation: exception items escalated, by the clock or by a person (issue 71 item 2)

An item neither acknowledged nor closed `handoff.sla_hours` after it was logged is
escalated once; the exception owner may escalate one sooner with a reason. One row per
item and state (`after_move`, unique with the item): when, why, by whom (or the clock),
and who acknowledged the escalation itself. Nothing to migrate: no item was escalated
before.

Revision ID: 0048
Revises: 0047
Create Date: 2026-11-27 01:45:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0048'
down_revision = '0047'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('exception_escalation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('playbook_id', sa.Integer(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('after_move', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('cleared_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('cleared_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("source IN ('exception', 'deviation')", name=op.f('ck_exception_escalation_source')),
    sa.ForeignKeyConstraint(['playbook_id'], ['playbook.id'], name=op.f('fk_exception_escalation_playbook_id_playbook')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exception_escalation')),
    sa.UniqueConstraint('key', name=op.f('uq_exception_escalation_key'))
    )
    with op.batch_alter_table('exception_escalation', schema=None) as batch_op:
        batch_op.create_index('ix_exception_escalation_playbook', ['playbook_id', 'id'], unique=False)
        batch_op.create_index('ux_exception_escalation_item', ['source', 'report_id', 'after_move'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('exception_escalation', schema=None) as batch_op:
        batch_op.drop_index('ux_exception_escalation_item')
        batch_op.drop_index('ix_exception_escalation_playbook')
    op.drop_table('exception_escalation')
