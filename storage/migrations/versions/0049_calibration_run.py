"""calibration_run: runs of a step's calibration set (issue 70 item 3)

`/rollout calibrate <playbook> <step> 37/40 [note]` records a run against the step as
declared then; an edit with *Prompt or model changed* ticked leaves a mark that makes the
runs before it stale. Nothing to migrate: no playbook declared a calibration set before.

Revision ID: 0049
Revises: 0048
Create Date: 2026-11-27 02:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0049'
down_revision = '0048'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calibration_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('playbook_id', sa.Integer(), nullable=False),
    sa.Column('step', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('passed', sa.Integer(), nullable=True),
    sa.Column('total', sa.Integer(), nullable=True),
    sa.Column('basis', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_by', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('recorded_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('run', 'prompt-changed')", name=op.f('ck_calibration_run_kind')),
    sa.CheckConstraint(
        "kind != 'run' OR (passed IS NOT NULL AND total IS NOT NULL AND passed <= total)",
        name=op.f('ck_calibration_run_run'),
    ),
    sa.ForeignKeyConstraint(['playbook_id'], ['playbook.id'], name=op.f('fk_calibration_run_playbook_id_playbook')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calibration_run'))
    )
    op.create_index('ix_calibration_run_step', 'calibration_run', ['playbook_id', 'step', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_calibration_run_step', table_name='calibration_run')
    op.drop_table('calibration_run')
