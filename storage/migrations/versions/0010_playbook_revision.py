"""playbook.revision: raised by the database on every change to a playbook, its steps or its cycles

The request path keeps each playbook's state (the row, its steps, its latest cycle) in
memory per process and asks the database only for this number. Triggers raise it, so
no write path, process or hand-written UPDATE can change a playbook behind a cache.

SQLite drops a table's triggers when a batch migration copies the table: a later
migration that rebuilds playbook, step or cycle must create them again
(tests/storage/test_migrations.py checks they work at head).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 11:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

PARTS = ('step', 'cycle')  # the tables whose rows belong to a playbook's state

SQLITE_UP = [
    # The inner UPDATE changes revision, so the WHEN clause stops it from firing again.
    """CREATE TRIGGER playbook_revision AFTER UPDATE ON playbook
       WHEN NEW.revision = OLD.revision
       BEGIN UPDATE playbook SET revision = OLD.revision + 1 WHERE id = NEW.id; END""",
    *(
        statement
        for part in PARTS
        for statement in (
            f"""CREATE TRIGGER {part}_revision_insert AFTER INSERT ON {part}
                BEGIN UPDATE playbook SET revision = revision + 1 WHERE id = NEW.playbook_id; END""",
            f"""CREATE TRIGGER {part}_revision_update AFTER UPDATE ON {part}
                BEGIN UPDATE playbook SET revision = revision + 1 WHERE id IN (OLD.playbook_id, NEW.playbook_id); END""",
            f"""CREATE TRIGGER {part}_revision_delete AFTER DELETE ON {part}
                BEGIN UPDATE playbook SET revision = revision + 1 WHERE id = OLD.playbook_id; END""",
        )
    ),
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS playbook_revision",
    *(f"DROP TRIGGER IF EXISTS {part}_revision_{op_}" for part in PARTS for op_ in ('insert', 'update', 'delete')),
]

POSTGRESQL_UP = [
    """CREATE OR REPLACE FUNCTION playbook_revision_raise() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
           IF NEW.revision = OLD.revision THEN
               NEW.revision := OLD.revision + 1;
           END IF;
           RETURN NEW;
       END $$""",
    "CREATE TRIGGER playbook_revision BEFORE UPDATE ON playbook FOR EACH ROW EXECUTE FUNCTION playbook_revision_raise()",
    # A change to a step or cycle is an UPDATE of its playbook, raised by the trigger above.
    """CREATE OR REPLACE FUNCTION playbook_part_changed() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
           IF TG_OP IN ('UPDATE', 'DELETE') THEN
               UPDATE playbook SET revision = revision WHERE id = OLD.playbook_id;
           END IF;
           IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.playbook_id <> OLD.playbook_id) THEN
               UPDATE playbook SET revision = revision WHERE id = NEW.playbook_id;
           END IF;
           RETURN NULL;
       END $$""",
    *(
        f"CREATE TRIGGER {part}_revision AFTER INSERT OR UPDATE OR DELETE ON {part} "
        "FOR EACH ROW EXECUTE FUNCTION playbook_part_changed()"
        for part in PARTS
    ),
]
POSTGRESQL_DOWN = [
    *(f"DROP TRIGGER IF EXISTS {part}_revision ON {part}" for part in PARTS),
    "DROP TRIGGER IF EXISTS playbook_revision ON playbook",
    "DROP FUNCTION IF EXISTS playbook_part_changed()",
    "DROP FUNCTION IF EXISTS playbook_revision_raise()",
]


def upgrade() -> None:
    with op.batch_alter_table('playbook', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='0', nullable=False))
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for statement in POSTGRESQL_UP if postgresql else SQLITE_UP:
        op.execute(statement)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for statement in POSTGRESQL_DOWN if postgresql else SQLITE_DOWN:
        op.execute(statement)
    with op.batch_alter_table('playbook', schema=None) as batch_op:
        batch_op.drop_column('revision')
