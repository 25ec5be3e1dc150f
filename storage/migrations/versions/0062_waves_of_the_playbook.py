"""wave_review once per playbook and wave: the waves are the playbook's (issue 80 item 5)

A newer version continues its playbook's wave count, so a wave is marked reviewed once per
playbook (uq_wave_review_playbook_wave), through whichever version. Marks kept before were
per version: where one playbook has two marks of the same wave number, the earliest
stays and the later ones' notes are added to its note ("v2: ..."), so nothing anyone
wrote is lost; the later rows go. No verdict changes: replication verdicts do not read
marks, and a wave marked stays marked. Marks made before notes were asked for keep none.

Revision ID: 0062
Revises: 0061
Create Date: 2026-11-29 14:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0062'
down_revision = '0061'
branch_labels = None
depends_on = None

MARKS = sa.table(
    'wave_review',
    sa.column('id', sa.Integer),
    sa.column('playbook_id', sa.Integer),
    sa.column('version', sa.Integer),
    sa.column('wave', sa.Integer),
    sa.column('note', sa.Text),
    sa.column('reviewed_at', sa.DateTime),
)


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(MARKS.c.id, MARKS.c.playbook_id, MARKS.c.version, MARKS.c.wave, MARKS.c.note).order_by(
            MARKS.c.reviewed_at, MARKS.c.id
        )
    ).all()
    kept: dict[tuple[int, int], tuple[int, list[str]]] = {}
    gone: list[int] = []
    for row in rows:
        key = (row.playbook_id, row.wave)
        if key not in kept:
            kept[key] = (row.id, [row.note] if row.note else [])
            continue
        gone.append(row.id)
        if row.note:
            kept[key][1].append(f"v{row.version}: {row.note}")
    for mark_id, notes in kept.values():
        if len(notes) > 1:
            bind.execute(sa.update(MARKS).where(MARKS.c.id == mark_id).values(note=" · ".join(notes)))
    if gone:
        bind.execute(sa.delete(MARKS).where(MARKS.c.id.in_(gone)))
    with op.batch_alter_table('wave_review', schema=None) as batch_op:
        batch_op.drop_constraint('uq_wave_review_version_wave', type_='unique')
        batch_op.create_unique_constraint('uq_wave_review_playbook_wave', ['playbook_id', 'wave'])


def downgrade() -> None:
    with op.batch_alter_table('wave_review', schema=None) as batch_op:
        batch_op.drop_constraint('uq_wave_review_playbook_wave', type_='unique')
        batch_op.create_unique_constraint('uq_wave_review_version_wave', ['version_id', 'wave'])
