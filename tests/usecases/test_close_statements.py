"""A round of closes reads in as many statements for three playbooks as for one: each of
the close's rules (usecases/shared/close/registry.py) reads its batch for the whole round,
and a kind of data two rules judge on is read once (Round.read). Counted, not timed, on
both databases, at a cycle's last week (every rule reads) and at its first."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import event

from cadence.calendar import WeekRef
from cadence.definition_load import parse_playbook
from cadence.schedule import Due
from tests.committed import loaded
from tests.conftest import OWNER, SUPPORT_REPLIES
from usecases.shared import weeks
from usecases.shared.life import begin_cycle

START = date(2026, 11, 16)
AT = datetime(2026, 12, 14, 11, tzinfo=UTC)


def _round(engine, store, slugs: list[str], week: int) -> tuple[int, list[weeks.Closed]]:
    """The statements of one round closing week `week` of cycle 1 of these playbooks."""
    ref = WeekRef(1, week, START + timedelta(weeks=week - 1))
    batch = []
    for slug in slugs:
        state = store.playbooks.state(slug)
        due = Due(f"close:{state.playbook.id}:{ref.week_start}", "close", AT, state.playbook.id, ref)
        batch.append((state, due))
    statements: list[str] = []

    def count(_conn, _cursor, sql, *_):
        statements.append(sql)

    with store.unit_of_work() as uow:
        event.listen(engine, "before_cursor_execute", count)
        try:
            closed = weeks.close_round(uow, batch, beside=store)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    return len(statements), closed


def test_a_round_of_closes_reads_as_much_for_three_playbooks_as_for_one(engine, store):
    compared = {**SUPPORT_REPLIES, "kpi": {**SUPPORT_REPLIES["kpi"], "compare": "rest", "rest_baseline": 40}}
    for slug in ("one", "two", "three", "four"):  # one and four compare with the rest: its read is there once
        definition = {**(compared if slug in ("one", "four") else SUPPORT_REPLIES), "playbook": slug}
        loaded(store, [parse_playbook(definition)], "UTC", "test", AT)
        begin_cycle(store, store.playbooks.state(slug).playbook.id, 1, START, OWNER, AT)
    counts = {}
    for week in (4, 1):
        one, [closed] = _round(engine, store, ["one"], week)
        three, closes = _round(engine, store, ["two", "three", "four"], week)
        assert one == three, (week, one, three)
        counts[week] = one
        assert len(closes) == 3 and all(c.change.verdicts for c in closes)
        assert bool(closed.change.cycle_results) == (week == 4)
    assert counts == {4: 17, 1: 11}  # as the close read before its rules were a list (issue 94, item 2)
