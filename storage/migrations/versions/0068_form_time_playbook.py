"""form_time.playbook_id: the playbook a form is for, as its view names it (issue 97, item
7, audited: an adopter's setup time is its playbook's own forms, anyone's, not its owner's
forms for any playbook)

The index by person gives way to one by playbook, which the setup time reads by. Rows
kept before this have no playbook and stay so: only the view, gone since, said which
playbook a form was for, and guessing it from the person is the attribution this
replaces; they count for no adopter.

Revision ID: 0068
Revises: 0067
Create Date: 2026-11-29 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0068"
down_revision = "0067"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("form_time", schema=None) as batch_op:
        batch_op.add_column(sa.Column("playbook_id", sa.Integer(), nullable=True))
        batch_op.drop_index("ix_form_time_user_opened")
        batch_op.create_index("ix_form_time_playbook_opened", ["playbook_id", "opened_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("form_time", schema=None) as batch_op:
        batch_op.drop_index("ix_form_time_playbook_opened")
        batch_op.create_index("ix_form_time_user_opened", ["user_id", "opened_at"], unique=False)
        batch_op.drop_column("playbook_id")
