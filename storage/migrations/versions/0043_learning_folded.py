"""learning.folded: the text case-folded, so that search is case-insensitive in every script

`/rollout learnings überprüfung` compared lower(text) with the words lowered, and SQLite's
lower() lowers A-Z only: "Überprüfung der Entwürfe" was not found. Each learning now keeps
its text case-folded beside it (cadence.text.folded: str.casefold in NFC), filled here for
the learnings kept before, and the search compares the words folded the same way.

Revision ID: 0043
Revises: 0042
Create Date: 2026-11-26 15:00:00
"""

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = '0043'
down_revision = '0042'
branch_labels = None
depends_on = None

_BATCH = 1000


def _folded(text: str) -> str:
    """cadence.text.folded as it is at this revision: a migration keeps its own copy."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())


def upgrade() -> None:
    with op.batch_alter_table('learning', schema=None) as batch_op:
        batch_op.add_column(sa.Column('folded', sa.Text(), nullable=True))
    connection = op.get_bind()
    learning = sa.table('learning', sa.column('id', sa.Integer), sa.column('text', sa.Text), sa.column('folded', sa.Text))
    last = 0
    while True:
        rows = connection.execute(
            sa.select(learning.c.id, learning.c.text).where(learning.c.id > last).order_by(learning.c.id).limit(_BATCH)
        ).all()
        if not rows:
            break
        connection.execute(
            learning.update().where(learning.c.id == sa.bindparam('row_id')).values(folded=sa.bindparam('value')),
            [{'row_id': row_id, 'value': _folded(text or '')} for row_id, text in rows],
        )
        last = rows[-1][0]
    with op.batch_alter_table('learning', schema=None) as batch_op:
        batch_op.alter_column('folded', existing_type=sa.Text(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('learning', schema=None) as batch_op:
        batch_op.drop_column('folded')
