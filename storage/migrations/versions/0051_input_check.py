"""input_check: what the clock asked about each checked input, once a week

The AI's inputs, checked (docs/sources.md, "Input checks"): an input of a playbook may
carry a `check` (a source, its query or path, and a min) that the clock asks once a week
from Sunday 12:00 to the week's close; each answer is a row, met or below its min, or the
error in words. Readiness's input reliability and status read it. A new table: existing
playbooks have no checks, and nothing to migrate.

Revision ID: 0051
Revises: 0050
Create Date: 2026-11-27 01:50:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0051'
down_revision = '0050'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('input_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('playbook_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('input', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('asked', sa.Text(), nullable=False),
    sa.Column('minimum', sa.Float(), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('checked_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("outcome IN ('met', 'below', 'failed')", name=op.f('ck_input_check_outcome')),
    sa.ForeignKeyConstraint(['playbook_id'], ['playbook.id'], name=op.f('fk_input_check_playbook_id_playbook')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_input_check'))
    )
    with op.batch_alter_table('input_check', schema=None) as batch_op:
        batch_op.create_index('ix_input_check_week', ['playbook_id', 'week_start', 'input', 'id'], unique=False)
        batch_op.create_index('ix_input_check_week_start', ['week_start'], unique=False)
        batch_op.create_index(
            'ux_input_check_settled',
            ['playbook_id', 'week_start', 'input'],
            unique=True,
            sqlite_where=sa.text("outcome <> 'failed'"),
            postgresql_where=sa.text("outcome <> 'failed'"),
        )


def downgrade() -> None:
    with op.batch_alter_table('input_check', schema=None) as batch_op:
        batch_op.drop_index('ux_input_check_settled')
        batch_op.drop_index('ix_input_check_week_start')
        batch_op.drop_index('ix_input_check_week')

    op.drop_table('input_check')
