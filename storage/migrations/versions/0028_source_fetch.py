"""source_fetch: what the clock asked each source, and what came back

Numbers pulled from the systems that hold them (docs/sources.md): each fetch of a
sourced number, a value or the error in words (never a secret), and an override typed
in its place. The clock reads it to know which numbers are still missing; `rollout
source list` and input reliability read it too.

Revision ID: 0028
Revises: 0027
Create Date: 2026-11-25 00:12:57.630361
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('source_fetch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('playbook_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('asked', sa.Text(), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('fetched_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("outcome IN ('fetched', 'failed', 'typed')", name=op.f('ck_source_fetch_outcome')),
    sa.ForeignKeyConstraint(['playbook_id'], ['playbook.id'], name=op.f('fk_source_fetch_playbook_id_playbook')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_source_fetch'))
    )
    with op.batch_alter_table('source_fetch', schema=None) as batch_op:
        batch_op.create_index('ix_source_fetch_week', ['playbook_id', 'week_start', 'number', 'id'], unique=False)
        batch_op.create_index('ix_source_fetch_week_start', ['week_start'], unique=False)
        batch_op.create_index(
            'ux_source_fetch_fetched',
            ['playbook_id', 'week_start', 'number'],
            unique=True,
            sqlite_where=sa.text("outcome = 'fetched'"),
            postgresql_where=sa.text("outcome = 'fetched'"),
        )



def downgrade() -> None:
    with op.batch_alter_table('source_fetch', schema=None) as batch_op:
        batch_op.drop_index('ux_source_fetch_fetched')
        batch_op.drop_index('ix_source_fetch_week_start')
        batch_op.drop_index('ix_source_fetch_week')

    op.drop_table('source_fetch')
