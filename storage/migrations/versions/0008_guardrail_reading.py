"""guardrail readings: the weekly number that must not get worse while the KPI improves

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 10:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('guardrail_reading',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('playbook_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('reported_by', sa.String(length=32), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['playbook_id'], ['playbook.id'], name=op.f('fk_guardrail_reading_playbook_id_playbook')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guardrail_reading'))
    )
    with op.batch_alter_table('guardrail_reading', schema=None) as batch_op:
        batch_op.create_index('ix_guardrail_reading_week', ['playbook_id', 'week_start', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('guardrail_reading', schema=None) as batch_op:
        batch_op.drop_index('ix_guardrail_reading_week')
    op.drop_table('guardrail_reading')
