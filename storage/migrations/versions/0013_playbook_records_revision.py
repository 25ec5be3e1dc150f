"""playbook.revision also rises on a change to a playbook's verdicts, proposals, registry versions and look-back decisions

Status shows each step's recent verdicts, open proposals and registry versions: about
half of its statements, all of which change only when a week closes or someone
decides. Each process now keeps them under the playbook's revision, as it keeps the
playbook's state (migration 0010), so the revision must rise on any change to them too.
Decisions count only where the rules look back at them (mode changes, rejections,
guardrail readings), which is also what ix_decision_step_changes and
ix_decision_guardrail hold.

A week close inserts thousands of verdicts at once: on PostgreSQL the triggers are per
statement, with transition tables, so each playbook's row is updated once per
statement rather than once per verdict. SQLite has row triggers only.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-22 14:10:00
"""

from alembic import op


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

RECORDS = ('step_verdict', 'proposal', 'registry_version')  # every row counts
LOOK_BACK = "kind IN ('mode-change', 'proposal-rejected', 'guardrail')"  # decision rows that count


def _sqlite_triggers(table: str, when: str | None) -> list[str]:
    def condition(row: str) -> str:
        return f"WHEN {row}.{when} " if when else ""

    raise_for = "UPDATE playbook SET revision = revision + 1 WHERE id"
    return [
        f"""CREATE TRIGGER {table}_revision_insert AFTER INSERT ON {table} {condition('NEW')}
            BEGIN {raise_for} = NEW.playbook_id; END""",
        f"""CREATE TRIGGER {table}_revision_update AFTER UPDATE ON {table}
            {f'WHEN NEW.{when} OR OLD.{when} ' if when else ''}
            BEGIN {raise_for} IN (OLD.playbook_id, NEW.playbook_id); END""",
        f"""CREATE TRIGGER {table}_revision_delete AFTER DELETE ON {table} {condition('OLD')}
            BEGIN {raise_for} = OLD.playbook_id; END""",
    ]


SQLITE_UP = [
    *(statement for table in RECORDS for statement in _sqlite_triggers(table, None)),
    *_sqlite_triggers('decision', LOOK_BACK),
]
SQLITE_DOWN = [
    f"DROP TRIGGER IF EXISTS {table}_revision_{event}"
    for table in (*RECORDS, 'decision')
    for event in ('insert', 'update', 'delete')
]


def _postgresql_function(name: str, where: str) -> str:
    # An UPDATE of the playbook row is raised by playbook_revision (migration 0010).
    touch = "UPDATE playbook SET revision = revision WHERE id IN"
    return f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
           IF TG_OP = 'INSERT' THEN
               {touch} (SELECT playbook_id FROM added {where});
           ELSIF TG_OP = 'UPDATE' THEN
               {touch} (SELECT playbook_id FROM added {where} UNION SELECT playbook_id FROM removed {where});
           ELSE
               {touch} (SELECT playbook_id FROM removed {where});
           END IF;
           RETURN NULL;
       END $$"""


def _postgresql_triggers(table: str, function: str) -> list[str]:
    tables = {'insert': 'NEW TABLE AS added', 'update': 'OLD TABLE AS removed NEW TABLE AS added', 'delete': 'OLD TABLE AS removed'}
    return [
        f"CREATE TRIGGER {table}_revision_{event} AFTER {event.upper()} ON {table} "
        f"REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        for event, transition in tables.items()
    ]


POSTGRESQL_UP = [
    _postgresql_function('playbook_records_changed', ''),
    _postgresql_function('playbook_decisions_changed', f'WHERE {LOOK_BACK}'),
    *(statement for table in RECORDS for statement in _postgresql_triggers(table, 'playbook_records_changed')),
    *_postgresql_triggers('decision', 'playbook_decisions_changed'),
]
POSTGRESQL_DOWN = [
    *(
        f"DROP TRIGGER IF EXISTS {table}_revision_{event} ON {table}"
        for table in (*RECORDS, 'decision')
        for event in ('insert', 'update', 'delete')
    ),
    "DROP FUNCTION IF EXISTS playbook_decisions_changed()",
    "DROP FUNCTION IF EXISTS playbook_records_changed()",
]


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for statement in POSTGRESQL_UP if postgresql else SQLITE_UP:
        op.execute(statement)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for statement in POSTGRESQL_DOWN if postgresql else SQLITE_DOWN:
        op.execute(statement)
