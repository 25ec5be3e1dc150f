"""learning, and the learnings a registry version carries

What a team learned in each cycle travels with the version other teams adopt
(README, "Replication"). Versions published before have none.

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-23 18:00:00
"""

from alembic import op
import sqlalchemy as sa

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('learning',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('playbook_id', sa.Integer(), nullable=False),
    sa.Column('cycle', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('added_by', sa.String(length=64), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['playbook_id'], ['playbook.id'], name=op.f('fk_learning_playbook_id_playbook')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learning'))
    )
    op.create_index('ix_learning_playbook_cycle', 'learning', ['playbook_id', 'cycle', 'id'], unique=False)
    with op.batch_alter_table('registry_version') as batch:
        batch.add_column(sa.Column('learnings', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('registry_version') as batch:
        batch.drop_column('learnings')
    op.drop_index('ix_learning_playbook_cycle', table_name='learning')
    op.drop_table('learning')
