"""checkin: an index of the deviations that count, for the exception queue

Every deviation is an exception-queue item (0033), and `/rollout status`, the App Home
and the Monday DMs read a playbook's open ones. Without this index that read walked
every check-in of the playbook that counts, to find the few that deviated: with 15,000
check-ins, `status` spent half its time there (bench/README.md, every subcommand's p99
at most 3x `kpi`'s). Partial, as the other report indexes.

Revision ID: 0035
Revises: 0034
Create Date: 2026-11-25 07:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None

DEVIATED = sa.text("attestation = 'deviated' AND withdrawn_at IS NULL")


def upgrade() -> None:
    op.create_index(
        'ix_checkin_deviated',
        'checkin',
        ['playbook_id', 'id'],
        unique=False,
        sqlite_where=DEVIATED,
        postgresql_where=DEVIATED,
    )


def downgrade() -> None:
    op.drop_index('ix_checkin_deviated', table_name='checkin')
