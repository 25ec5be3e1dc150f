"""review_minutes: the minutes a week's review took, from the owner's week form

Net value (issue 83) prices oversight: reviewed cases × the playbook's `review_minutes`,
unless the week form says how many minutes were spent reviewing a step that week, which
wins for its week. Those minutes are kept with the review they were typed with. A null:
none typed, as every review before this one.

Revision ID: 0058
Revises: 0057
Create Date: 2026-11-27 10:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0058'
down_revision = '0057'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('rubric_score', sa.Column('review_minutes', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('rubric_score') as batch:
        batch.drop_column('review_minutes')
