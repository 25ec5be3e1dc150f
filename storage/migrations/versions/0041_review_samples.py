"""review_samples: a rubric score says how many cases were reviewed

`/rollout rubric <playbook> <step> 18/20` and a source's `rubric: {passed, reviewed}`
report a review of a sample: the score is 18/20 and its interval is over the 20
reviewed cases, not the week's. The sample is kept with the score, and with the
verdict that judged it (the confident rule pools it with later weeks). A null: a bare
score, every case of the week reviewed, as every report before this one.

Revision ID: 0041
Revises: 0040
Create Date: 2026-11-26 04:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0041'
down_revision = '0040'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('rubric_score', sa.Column('reviewed', sa.Integer(), nullable=True))
    op.add_column('step_verdict', sa.Column('reviewed', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('step_verdict') as batch:
        batch.drop_column('reviewed')
    with op.batch_alter_table('rubric_score') as batch:
        batch.drop_column('reviewed')
