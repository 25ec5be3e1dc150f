"""playbook.champion_id, checklist_mark, adoption_request: teams opt in

Teams opt in (issue 43): an adopting playbook may name a champion, who gets the kit's
training and checks as a checklist by DM and marks each item done (or undone) with a
button. Each mark is a row, with who and when; the latest of an item is its state. A team
asks the curators to adopt a version (`/rollout request`): one pending request per
channel and version, held by a partial unique index.

Revision ID: 0034
Revises: 0033
Create Date: 2026-11-25 04:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('playbook', sa.Column('champion_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
    op.create_table('checklist_mark',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('playbook_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('item', sa.Text(), nullable=False),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.Column('marked_by', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('marked_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('training', 'check')", name=op.f('ck_checklist_mark_kind')),
    sa.ForeignKeyConstraint(['playbook_id'], ['playbook.id'], name=op.f('fk_checklist_mark_playbook_id_playbook')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_mark'))
    )
    with op.batch_alter_table('checklist_mark', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checklist_mark_playbook_id'), ['playbook_id'], unique=False)
    op.create_table('adoption_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('channel_name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.Column('requester_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('champion_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('card_key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('decided_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('adopted_slug', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'approved', 'declined')", name=op.f('ck_adoption_request_status')),
    sa.ForeignKeyConstraint(['version_id'], ['registry_version.id'], name=op.f('fk_adoption_request_version_id_registry_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_adoption_request'))
    )
    with op.batch_alter_table('adoption_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_adoption_request_version_id'), ['version_id'], unique=False)
        batch_op.create_index(
            'uq_adoption_request_pending',
            ['version_id', 'channel_id'],
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )


def downgrade() -> None:
    with op.batch_alter_table('adoption_request', schema=None) as batch_op:
        batch_op.drop_index('uq_adoption_request_pending')
        batch_op.drop_index(batch_op.f('ix_adoption_request_version_id'))
    op.drop_table('adoption_request')
    with op.batch_alter_table('checklist_mark', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checklist_mark_playbook_id'))
    op.drop_table('checklist_mark')
    # SQLite drops a column in place (3.35 on): a batch would copy playbook, which the
    # foreign keys of every other table refuse.
    op.execute("ALTER TABLE playbook DROP COLUMN champion_id")
