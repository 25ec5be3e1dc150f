"""a channel runs at most one adoption of an origin playbook: held by a unique index

`/rollout adopt` refused a second adoption of the same origin in a channel by looking
first, so five adopts at once all looked, found none, and made five playbooks. Each
adopted playbook now names the playbook its version was published from
(adopted_origin_id), and uq_playbook_adoption holds one per channel and origin among
those not retired: of concurrent adopts the database lets one through.

Existing adoptions are filled in from their registry version. Where the old race left a
channel running more than one adoption of an origin, the earliest one is held by the
index; the others keep no origin (it is theirs to retire), so the upgrade never fails
on them.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-24 10:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

RUNS_AN_ADOPTION = sa.text("adopted_origin_id IS NOT NULL AND status <> 'retired'")
ORIGIN = "(SELECT rv.playbook_id FROM registry_version rv WHERE rv.id = playbook.adopted_from_id)"


def upgrade() -> None:
    op.add_column('playbook', sa.Column('adopted_origin_id', sa.Integer(), nullable=True))
    op.execute(
        f"""UPDATE playbook SET adopted_origin_id = {ORIGIN}
            WHERE adopted_from_id IS NOT NULL AND (status = 'retired' OR NOT EXISTS (
                SELECT 1 FROM playbook earlier JOIN registry_version erv ON erv.id = earlier.adopted_from_id
                WHERE earlier.channel_id = playbook.channel_id AND earlier.status <> 'retired'
                  AND earlier.id < playbook.id AND erv.playbook_id = {ORIGIN}))"""
    )
    op.create_index(
        'uq_playbook_adoption',
        'playbook',
        ['channel_id', 'adopted_origin_id'],
        unique=True,
        sqlite_where=RUNS_AN_ADOPTION,
        postgresql_where=RUNS_AN_ADOPTION,
    )


def downgrade() -> None:
    op.drop_index('uq_playbook_adoption', table_name='playbook')
    with op.batch_alter_table('playbook') as batch:
        batch.drop_column('adopted_origin_id')
