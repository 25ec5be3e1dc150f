"""The reads that every close and every status make go through their indexes, on both
databases: their cost must follow what they read, not the history a table holds.
Checked on the planner's own plan (PostgreSQL with sequential scans discouraged, as an
empty test table would otherwise make a scan the cheaper plan)."""

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event, text

from storage import counting
from storage.depth import _ALL_WEEKLY_CASES, _STATEMENTS, _WEEKLY_CASES
from storage.exception_items import _MOVED_ITEMS, _OLDEST, _OPEN_ITEMS, _STEP_TOTALS
from storage.governance import _LOG, _STEP_LOG
from storage.readouts import _EXCEPTION_RATIOS, _MODE_CHANGES_BETWEEN
from storage.step_histories import _DECISIONS_SINCE
from storage.webhooks import _MARK_DELIVERED

WEEK = date(2026, 11, 16)
START, END = datetime(2026, 11, 16, 12, tzinfo=UTC), datetime(2026, 11, 23, 12, tzinfo=UTC)


def plan(engine, statement, parameters) -> str:
    sent = []

    def capture(conn, cursor, sql, params, context, executemany):
        sent.append((sql, params))

    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SET enable_seqscan = off"))
        event.listen(engine, "before_cursor_execute", capture)
        try:
            connection.execute(statement, parameters)
        finally:
            event.remove(engine, "before_cursor_execute", capture)
        sql, params = sent[0]
        explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
        cursor = connection.connection.cursor()
        cursor.execute(explain + sql, params)
        return "\n".join(str(row[-1] if engine.dialect.name == "sqlite" else row[0]) for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("statement", "parameters", "index"),
    [
        (
            _DECISIONS_SINCE,
            {"step_ids": [1, 2, 3], "pids": [1, 2], "since": WEEK},
            r"ix_decision_step_changes(.|\n)*ix_decision_guardrail|ix_decision_guardrail(.|\n)*ix_decision_step_changes",
        ),
        (_LOG, {"playbook_id": 1, "limit": 10}, "ix_decision_log"),
        (_STEP_LOG, {"playbook_id": 1, "step_id": 2, "limit": 10}, "ix_decision_log"),
        (_MODE_CHANGES_BETWEEN, {"start": START, "end": END}, "ix_decision_mode_changes"),
        # On an empty table PostgreSQL may take either index that leads with the week.
        (_EXCEPTION_RATIOS, {"weeks": [WEEK, date(2026, 11, 9)]}, r"ix_step_verdict_(week|depth)"),
    ],
    ids=[
        "mode changes, rejections and guardrail weeks",
        "decision log",
        "a step's decision log",
        "the digest's mode changes",
        "the digest's exception ratios",
    ],
)
def test_the_rules_look_back_through_partial_indexes(engine, statement, parameters, index):
    assert re.search(index, plan(engine, statement, parameters))


def test_the_week_figures_read_the_counting_indexes(engine):
    parameters = {"week_0": WEEK, "pids_0": [1, 2]}
    totals = plan(engine, counting._week_totals(1, 101), parameters)
    assert "ix_kpi_reading_week_counting" in totals and "ix_guardrail_reading_week_counting" in totals
    steps = plan(engine, counting._step_figures(1), parameters)
    for table in ("case_count", "rubric_score", "exception_report"):
        # On an empty table PostgreSQL may pick any of the table's indexes of the reports
        # that count: either counting index, or the week's people (migration 0032).
        assert re.search(rf"ix_{table}_((week|reporter)_counting|week_people)", steps), steps


def test_sqlite_walks_the_checkins_member_by_member(engine):
    """Each member's latest check-in: one step into the counting index per member (the
    next user_id after the last), not a read of every check-in of the week."""
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL keeps the grouped max")
    walk = plan(engine, counting._CHECKIN_WALK, {"pids": "[1, 2]", "weeks": '["2026-11-16"]'})
    assert "ix_checkin_week_counting (playbook_id=? AND week_start=? AND user_id>?)" in walk, walk


def test_depth_over_months_reads_indexes_only(engine):
    """The org's two years of verdicts and of people who reported: through the week's
    indexes (migration 0032), each table's pairs of week and person in index order."""
    verdicts, people = _STATEMENTS[False]
    span = {"since": date(2024, 11, 18), "until": WEEK}
    assert "ix_step_verdict_depth" in plan(engine, verdicts, span)
    found = plan(engine, people, span)
    for table in ("kpi_reading", "guardrail_reading", "case_count", "rubric_score", "exception_report", "checkin"):
        assert f"ix_{table}_week_people" in found, found
    cases = plan(engine, _WEEKLY_CASES, {**span, "playbook_ids": [1, 2]})
    assert re.search(r"ix_step_verdict_(depth|playbook_week)", cases), cases
    assert "ix_step_verdict_depth" in plan(engine, _ALL_WEEKLY_CASES, span)  # many playbooks: by week
    one_verdicts, one_people = _STATEMENTS[True]
    assert re.search(r"ix_step_verdict_(depth|playbook_week)", plan(engine, one_verdicts, {**span, "playbook_id": 1}))
    found = plan(engine, one_people, {**span, "playbook_id": 1})
    assert "SCAN kpi_reading\n" not in found + "\n" and "Seq Scan" not in found, found


def test_the_open_deviations_are_read_from_their_own_index(engine, playbook):
    """Status, the App Home and the Monday DMs read a playbook's open exception items:
    its few deviations, not every check-in it ever had (migration 0035). With a history
    and the planner's statistics, as a real install has them."""
    from sqlalchemy import insert

    from storage.models.reports import CheckIn

    step = playbook.steps[0].id
    rows = [
        dict(
            playbook_id=playbook.playbook.id,
            week_start=WEEK,
            user_id=f"U{n:09d}",
            attestation="deviated" if n % 1000 == 0 else "followed",
            step_id=step,
            note="a case" if n % 1000 == 0 else None,
            reported_at=START,
        )
        for n in range(3000)
    ]
    with engine.begin() as connection:
        connection.execute(insert(CheckIn), rows)
        connection.execute(text("ANALYZE"))
    assert "ix_checkin_deviated" in plan(engine, _OPEN_ITEMS, {"playbooks": [playbook.playbook.id]})


def test_status_counts_the_open_exceptions_and_reads_each_steps_oldest_in_their_index(engine, playbook):
    """Status counts a playbook's open exceptions by step and shows each step's five
    oldest: from the queue's index (migration 0038), in its order, so a step with a
    thousand open exceptions reads five rows, not a thousand sorted."""
    from sqlalchemy import insert

    from storage.models.reports import ExceptionReport

    step = playbook.steps[0].id
    rows = [
        dict(
            playbook_id=playbook.playbook.id,
            step_id=step,
            week_start=WEEK,
            reason="a case",
            reported_by="U000000001",
            reported_at=START,
        )
        for _ in range(3000)
    ]
    with engine.begin() as connection:
        connection.execute(insert(ExceptionReport), rows)
        connection.execute(text("ANALYZE"))
    bound = {"playbook": playbook.playbook.id}
    # PostgreSQL's planner walks the whole table when, as here, it is all one playbook's
    # (and the moves' table is empty)
    if engine.dialect.name == "sqlite":
        assert "COVERING INDEX ix_exception_report_queue" in plan(engine, _STEP_TOTALS, bound)
        assert "ix_exception_item_event_playbook" in plan(engine, _MOVED_ITEMS, bound)  # the playbook's moves only
    oldest = plan(engine, _OLDEST, {**bound, "step": step, "limit": 5})
    assert "ix_exception_report_queue" in oldest, oldest
    # the exceptions' branch of the plan (SQLite's before its UNION ALL, PostgreSQL's one Limit): in index order
    [exceptions] = [b for b in re.split(r"UNION ALL|->  Limit", oldest) if "ix_exception_report_queue" in b]
    assert "TEMP B-TREE" not in exceptions and "Sort" not in exceptions, oldest


def test_deliveries_are_marked_delivered_by_key(engine):
    """The lane's record of a batch reads its rows by key, not through the pending index:
    the planner, seeing few pending rows between bursts, would otherwise read every
    pending delivery for each batch (as it did: 0.64 s of PostgreSQL's time in 10,000)."""
    found = plan(engine, _MARK_DELIVERED, {"ids": [1, 2, 3], "now": START})
    assert "ix_webhook_delivery" not in found, found
    assert re.search(r"pk_webhook_delivery|INTEGER PRIMARY KEY", found), found
