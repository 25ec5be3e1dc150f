"""Two submissions of the post-pilot assessment at once (issue 108, item 16) keep two
versions, never one number twice: each submission locks its playbook's log before it reads
the newest version (Governance.lock_log). Through Slack's signed requests, two threads, on
both databases. On PostgreSQL the test holds the decision table (a SHARE lock: reads go on,
inserts wait) until both submissions wait, so without the lock both would have read the same
newest version before either wrote; SQLite's writers run one at a time in a process."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text

from tests.conftest import OWNER
from tests.handlers.test_assessment import assessed, opened
from tests.usecases.test_governance import close_of, report_week


def _both_waiting(engine) -> None:
    """Until two other sessions of this database wait on a lock: the event itself, polled
    (PostgreSQL tells no one when a session starts to wait), with a bound that fails the
    test rather than letting it go on unraced."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with engine.connect() as watcher:
            waiting = watcher.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                )
            ).scalar_one()
        if waiting >= 2:
            return
        time.sleep(0.05)
    raise AssertionError("the two submissions never both waited on the held lock: the race was not run")


def test_two_assessments_submitted_at_once_are_two_versions(bot, world, slack, engine, clock):
    for week in (1, 2, 3, 4):
        report_week(bot, clock, week)
    world.run(close_of(4))
    forms = []
    for _ in range(2):
        bot.command("assess support-replies", user=OWNER)
        forms.append(opened(slack))
    assert [f["submit"]["text"] for f in forms] == ["Keep v1", "Keep v1"]

    start = threading.Barrier(2)

    def submit(form):
        start.wait()
        return bot.submit_filled(OWNER, form, {"manual_pilot": "a senior reviewer on every case"}).text

    postgres = engine.dialect.name == "postgresql"
    with engine.connect() as holder, ThreadPoolExecutor(2) as pool:
        if postgres:
            holder.execute(text("LOCK TABLE decision IN SHARE MODE"))
        kept = [pool.submit(submit, form) for form in forms]
        if postgres:
            _both_waiting(engine)
        holder.rollback()
        said = [k.result() for k in kept]

    assert sorted(f["number"] for _, _, f in assessed(engine)) == [1, 2], said
    assert {"Kept as v1" in s for s in said} == {True, False} and any("Kept as v2" in s for s in said), said
