"""The exception queue in readiness on the fakes (usecases/shared/readiness.py, criterion 8):
items open more than 14 days keep a playbook from ready, judged at the last week's close
or, for a publish and the web view, as the queue stands now. The queue's DM, buttons,
status and pages are tests/usecases/test_exception_queue.py's, end to end."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from storage.report_batches import new_report
from tests import fakes
from tests.committed import committed
from tests.fakes import OWNER, FakeStore
from usecases.shared import readiness

CYCLE = [(1, date(2026, 3, 2))]
WEDNESDAY_1 = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)


def queue_of(*logged):
    """support-replies with an exception logged at each of `logged` (its week's)."""
    state = fakes.a_playbook(exception_owner="UTRIAGE001")
    store = FakeStore(state)
    for i, at in enumerate(logged):
        week = date(2026, 3, 2) + timedelta(days=7 * ((at - WEDNESDAY_1).days // 7))
        row = new_report("exception", state.playbook.id, week, OWNER, at, step_id=state.steps[0].id, reason=f"r{i}")
        committed(store).reports.add_reports([row])
    return store, state


def queue_criterion(store, state, at=None):
    [criterion] = [c for c in readiness.criteria(store, state, CYCLE, at=at) if c.name == "queue"]
    return criterion


def test_an_item_open_more_than_14_days_at_the_last_weeks_close_keeps_it_from_ready():
    store, state = queue_of(WEDNESDAY_1, WEDNESDAY_1 + timedelta(days=21))
    criterion = queue_criterion(store, state)
    assert not criterion.met
    assert criterion.figures == dict(overdue=1, oldest_days=26, limit_days=14)  # to week 4's close, Monday noon


def test_an_item_closed_or_acknowledged_as_it_stands():
    store, state = queue_of(WEDNESDAY_1, WEDNESDAY_1 + timedelta(days=21))
    first, _ = store.exception_items.open_of([state.playbook.id])
    committed(store).exception_items.move(first, "acknowledged", None, OWNER, WEDNESDAY_1 + timedelta(days=1))
    assert not queue_criterion(store, state).met  # acknowledged is still open
    first = store.exception_items.item("exception", first.report_id)
    committed(store).exception_items.move(first, "accepted", "known", OWNER, WEDNESDAY_1 + timedelta(days=2))
    criterion = queue_criterion(store, state)
    assert criterion.met and criterion.figures == dict(overdue=0, oldest_days=0, limit_days=14)


def test_no_item_is_late_at_14_days():
    store, state = queue_of(WEDNESDAY_1)
    logged = store.exception_items.open_of([state.playbook.id])[0].logged_at
    assert queue_criterion(store, state, at=logged + timedelta(days=14)).met
    assert not queue_criterion(store, state, at=logged + timedelta(days=15)).met


def test_a_publish_judges_the_queue_now_in_place_of_the_kept_one():
    """Kept criteria (a proposal's, a decision's) with the queue as it stands at `now`."""
    store, state = queue_of(WEDNESDAY_1)
    kept = readiness.as_figures(readiness.criteria(store, state, CYCLE, at=WEDNESDAY_1 + timedelta(days=1)))
    assert next(c for c in kept if c["name"] == "queue")["met"]
    now = WEDNESDAY_1 + timedelta(days=18)
    judged = readiness.queue_now(store, state, kept, now)
    assert [c["name"] for c in judged] == [c["name"] for c in kept]
    queue = next(c for c in judged if c["name"] == "queue")
    assert (queue["met"], queue["overdue"], queue["oldest_days"]) == (False, 1, 18)
    older = [c for c in kept if c["name"] != "queue"]  # judged before the queue was a criterion
    assert readiness.queue_now(store, state, older, now)[-1]["name"] == "queue"
