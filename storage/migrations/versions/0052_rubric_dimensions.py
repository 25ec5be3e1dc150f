"""rubric_dimensions: a review scores each of the rubric's dimensions

`/rollout rubric <playbook> <step> 20 tone:19 accuracy:18 policy:20` records what passed
per dimension out of one reviewed count. The score stays the lowest dimension's share
(rubric_score.score, as before); its counts are kept beside it, written as typed
(`tone:19 accuracy:18 policy:20`), and with the verdict that judged them, so the week's
close, alerts and readiness name the lowest. A null: a review without dimensions, as
every review before this one.

A review may name its reviewers (`by @ben @ida`): their ids, kept with it, for the
heroics flag (who reviewed the cases). A null: none named, the reporter reviewed.

Revision ID: 0052
Revises: 0051
Create Date: 2026-11-27 02:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0052'
down_revision = '0051'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('rubric_score', sa.Column('dimensions', sa.Text(), nullable=True))
    op.add_column('step_verdict', sa.Column('dimensions', sa.Text(), nullable=True))
    op.add_column('rubric_score', sa.Column('reviewers', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('step_verdict') as batch:
        batch.drop_column('dimensions')
    with op.batch_alter_table('rubric_score') as batch:
        batch.drop_column('reviewers')
        batch.drop_column('dimensions')
