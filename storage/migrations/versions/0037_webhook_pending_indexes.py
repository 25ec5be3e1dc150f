"""webhook_delivery: its two indexes over the deliveries not yet made

The lane's claims read the pending deliveries and `webhook list` the pending and failed
ones; delivered rows, nearly all of them in time, were in both indexes all the same,
and marking each delivered wrote into both. Partial now: a delivery marked delivered
leaves them. With 10,000 deliveries on PostgreSQL the lane's UPDATEs took half the time
(bench/README.md, webhooks: at most 1.2x the receiver alone).

Revision ID: 0037
Revises: 0036
Create Date: 2026-11-25 08:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0037'
down_revision = '0036'
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")
UNFINISHED = sa.text("status IN ('pending', 'failed')")


def upgrade() -> None:
    op.drop_index('ix_webhook_delivery_lane', table_name='webhook_delivery')
    op.drop_index('ix_webhook_delivery_webhook', table_name='webhook_delivery')
    op.create_index(
        'ix_webhook_delivery_lane',
        'webhook_delivery',
        ['lane', 'id'],
        unique=False,
        sqlite_where=PENDING,
        postgresql_where=PENDING,
    )
    op.create_index(
        'ix_webhook_delivery_webhook',
        'webhook_delivery',
        ['webhook_id', 'status'],
        unique=False,
        sqlite_where=UNFINISHED,
        postgresql_where=UNFINISHED,
    )


def downgrade() -> None:
    op.drop_index('ix_webhook_delivery_webhook', table_name='webhook_delivery')
    op.drop_index('ix_webhook_delivery_lane', table_name='webhook_delivery')
    op.create_index('ix_webhook_delivery_webhook', 'webhook_delivery', ['webhook_id', 'status'], unique=False)
    op.create_index('ix_webhook_delivery_lane', 'webhook_delivery', ['status', 'lane', 'id'], unique=False)
