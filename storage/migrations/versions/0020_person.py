"""person and holiday: the days someone said they are away, whether they left, and the
org's days off

`/rollout away` keeps the check-in DM, the reminder and the owner's DM from people on
holiday or leave, and so keeps them out of the attestation rate for those weeks. A person
Slack calls deactivated gets nothing more, and a playbook they own waits for a curator.
On a holiday nothing person-facing goes out.

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-23 14:00:00
"""

from alembic import op
import sqlalchemy as sa

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('person',
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('away_from', sa.Date(), nullable=True),
    sa.Column('away_until', sa.Date(), nullable=True),
    sa.Column('deactivated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('away_from <= away_until', name=op.f('ck_person_away_in_order')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_person'))
    )
    op.create_table('holiday',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('added_by', sa.String(length=32), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_holiday'))
    )


def downgrade() -> None:
    op.drop_table('holiday')
    op.drop_table('person')
