"""decision.summary of an adoption names the version as people do: "support-replies v1"

An adoption's decision said "<slug> adopted from registry version 2.", 2 being the
registry's row id, which no one knows a version by and which differs from its number as
soon as a second playbook is published. Adoptions are recorded as "<slug> adopted from
<origin> v<N>." now, and the ones recorded before are worded so too: only the words
change; the row id stays in the decision's figures (version_id).

Revision ID: 0027
Revises: 0026
Create Date: 2026-11-26 10:00:00
"""

from alembic import op

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None

# The version an adopting playbook came from is its adopted_from_id, which is the
# adoption decision's figures.version_id: set once, when it was adopted.
_NAMED = (
    "SELECT p.slug || ' adopted from ' || v.slug || ' v' || CAST(v.version AS VARCHAR(12)) || '.' "
    "FROM playbook p JOIN registry_version v ON v.id = p.adopted_from_id WHERE p.id = decision.playbook_id"
)


def upgrade() -> None:
    op.execute(
        f"UPDATE decision SET summary = ({_NAMED}) "
        "WHERE kind = 'adopted' AND summary LIKE '% adopted from registry version %' "
        f"AND EXISTS ({_NAMED})"
    )


def downgrade() -> None:
    pass  # words only: the release before shows them as they are
