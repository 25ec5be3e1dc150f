"""decision.figures: the channel of an adoption by and of a request's outcome kept before

/rollout history and the web view link only the ids a decision's figures name
(cadence.decisions.named_ids). "Adopted by … in C…" and "C…'s request to adopt … approved"
(or declined) kept before 0044 have no `channel` in their figures, so their channel showed
as a raw id. The bot wrote that id at a fixed place in the summary; it is copied from there
into the figures. A request's team named "#name" has no id to copy (nor had one to link).

Revision ID: 0044
Revises: 0043
Create Date: 2026-11-26 15:40:00
"""

import re
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0044'
down_revision = '0043'
branch_labels = None
depends_on = None

_BATCH = 1000
# Where each summary's channel is, as cadence/registry_decisions.py writes them (an
# adopter is a playbook's slug: no space in it).
_CHANNEL = {
    'adopted-by': re.compile(r"Adopted by \S+ in ([CG][A-Z0-9]{8,})\.\Z"),
    'request-approved': re.compile(r"([CG][A-Z0-9]{8,})'s request to adopt \S+ v\d+ approved\.\Z"),
    'request-declined': re.compile(r"([CG][A-Z0-9]{8,})'s request to adopt \S+ v\d+ declined\.\Z"),
}


def _with_channel(kind: str, summary: str, figures: Any) -> dict[str, Any] | None:
    """The figures with the summary's channel, or None: nothing to add."""
    if not isinstance(figures, dict) or figures.get('channel'):
        return None
    found = _CHANNEL[kind].match(summary or '')
    return {**figures, 'channel': found.group(1)} if found else None


def upgrade() -> None:
    connection = op.get_bind()
    decision = sa.table(
        'decision',
        sa.column('id', sa.Integer),
        sa.column('kind', sa.String),
        sa.column('summary', sa.Text),
        sa.column('figures', sa.JSON),
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(decision.c.id, decision.c.kind, decision.c.summary, decision.c.figures)
            .where(decision.c.kind.in_(list(_CHANNEL)), decision.c.id > last)
            .order_by(decision.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            break
        changed = [
            {'row_id': row_id, 'value': figures}
            for row_id, kind, summary, old in rows
            if (figures := _with_channel(kind, summary, old)) is not None
        ]
        if changed:
            connection.execute(
                decision.update().where(decision.c.id == sa.bindparam('row_id')).values(figures=sa.bindparam('value')),
                changed,
            )
        last = rows[-1][0]


def downgrade() -> None:
    pass  # the figures keep the channel: the code before 0044 reads past it
