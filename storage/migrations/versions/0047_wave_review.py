"""wave_review: a wave's learnings marked reviewed (issue 69 item 4)

A version's adopters come in waves of `adoption_wave`; the next wave opens when a team of
the wave replicated and the origin's owner or a curator marked the wave's learnings
reviewed. One row per version and wave. Nothing to migrate: before it, the limit was gone
after one replication, and waves past the first open by a mark from now on.

Revision ID: 0047
Revises: 0046
Create Date: 2026-11-26 22:50:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0047'
down_revision = '0046'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('wave_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('playbook_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('wave', sa.Integer(), nullable=False),
    sa.Column('reviewed_by', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('reviewed_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['playbook_id'], ['playbook.id'], name=op.f('fk_wave_review_playbook_id_playbook')),
    sa.ForeignKeyConstraint(
        ['version_id'], ['registry_version.id'], name=op.f('fk_wave_review_version_id_registry_version')
    ),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wave_review')),
    sa.UniqueConstraint('version_id', 'wave', name='uq_wave_review_version_wave')
    )


def downgrade() -> None:
    op.drop_table('wave_review')
