"""playbook.revision and the triggers that raised it are gone

Each process kept playbooks' states (and what status shows of them) in memory while
playbook.revision stood, and triggers on playbook, step, cycle, step_verdict, proposal,
registry_version and decision raised it on every change (migrations 0010 and 0013).
A request now reads what it needs from the database, so nothing depends on the number,
and no new table has to join the trigger scheme. The downgrade puts column and triggers
back, as 0010 and 0013 made them.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-23 12:30:00
"""

import importlib.util
from pathlib import Path

from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def _earlier(name: str):
    """An earlier migration of this folder, for its lists of statements."""
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for name in ('0013_playbook_records_revision', '0010_playbook_revision'):
        migration = _earlier(name)
        for statement in migration.POSTGRESQL_DOWN if postgresql else migration.SQLITE_DOWN:
            op.execute(statement)
    with op.batch_alter_table('playbook', schema=None) as batch_op:
        batch_op.drop_column('revision')


def downgrade() -> None:
    with op.batch_alter_table('playbook', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='0', nullable=False))
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for name in ('0010_playbook_revision', '0013_playbook_records_revision'):
        migration = _earlier(name)
        for statement in migration.POSTGRESQL_UP if postgresql else migration.SQLITE_UP:
            op.execute(statement)
