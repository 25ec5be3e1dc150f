"""bar_request: a change to a playbook's bar that waits for a curator

Holding the line (issue 69): a change to the bar that does not tighten it is a request to
the curators, applied from the next cycle once approved. One open request per playbook,
held by a partial unique index.

Revision ID: 0046
Revises: 0045
Create Date: 2026-11-26 23:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0046'
down_revision = '0045'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bar_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('playbook_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('asked_by', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('asked_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=True),
    sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('decided_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decline_reason', sa.Text(), nullable=True),
    sa.Column('card_channel', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('card_key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.CheckConstraint(
        "state IN ('open', 'approved', 'declined', 'replaced', 'applied', 'void')",
        name=op.f('ck_bar_request_state'),
    ),
    sa.ForeignKeyConstraint(['playbook_id'], ['playbook.id'], name=op.f('fk_bar_request_playbook_id_playbook')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bar_request'))
    )
    with op.batch_alter_table('bar_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bar_request_playbook_id'), ['playbook_id'], unique=False)
        batch_op.create_index(
            'uq_bar_request_open',
            ['playbook_id'],
            unique=True,
            sqlite_where=sa.text("state = 'open'"),
            postgresql_where=sa.text("state = 'open'"),
        )


def downgrade() -> None:
    with op.batch_alter_table('bar_request', schema=None) as batch_op:
        batch_op.drop_index('uq_bar_request_open')
        batch_op.drop_index(batch_op.f('ix_bar_request_playbook_id'))
    op.drop_table('bar_request')
