"""The owners told once what readiness now misses (issue 81; usecases/readiness_news.py),
on the fakes: each playbook owed the notice (migration 0063) has its readiness judged as a
publish would judge it now; its owner gets one DM of the ❌ lines, and the debt goes in the
same unit of work, so a second tick, or a second clock that read the debt before the
first paid it, sends nothing. The migration is tests/storage/test_migration_readiness_notice.py's;
a tick on the database, tests/usecases/test_readiness_news.py's."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from cadence import keys
from tests import fakes
from tests.committed import committed
from tests.fakes import NOW, OWNER, FakeStore
from tests.fakes.playbooks import clone
from usecases.readiness_news import tell_once
from usecases.tick_reads import TickReport


def owing(*states):
    store = FakeStore(*states)
    store.held.owed = {state.playbook.id for state in states}
    return store


def tick(store, at=NOW):
    report = TickReport()
    tell_once(store, store.cadence_log.readiness_owed(), at, at, report)
    return report


def test_the_owner_is_told_once_what_is_now_missing_and_the_debt_goes_with_it():
    state = fakes.a_playbook()
    store = owing(state)
    report = tick(store)
    [message] = store.held.outbox
    assert message.channel == OWNER and message.key == keys.only_message(keys.readiness_news(state.playbook.id))
    text = str(message.payload)
    assert "readiness rules changed" in text and "Silence is never a pass" in text
    assert "❌" in text and "✅" not in text  # the lines now missing, only those
    assert store.held.owed == set() and report.counts == {("readiness-news", "done"): 1}
    assert len(store.units) == 1 and store.units[0].committed  # the DM's record and the debt's end: one unit
    assert not tick(store, NOW + timedelta(minutes=1)).work and len(store.held.outbox) == 1


def test_two_clocks_that_both_read_the_debt_send_it_once():
    state = fakes.a_playbook()
    store = owing(state)
    read_by_both = store.cadence_log.readiness_owed()
    for at in (NOW, NOW + timedelta(seconds=1)):
        tell_once(store, read_by_both, at, at, TickReport())
    assert len(store.held.outbox) == 1 and store.held.owed == set()


def test_a_deactivated_owner_is_skipped_and_said_so_in_the_record():
    state = fakes.a_playbook()
    store = owing(state)
    committed(store).people.deactivate(OWNER, NOW)
    report = tick(store)
    assert store.held.outbox == [] and store.held.owed == set()
    [job] = store.cadence_log.jobs()
    assert (job.kind, job.status, job.note) == ("readiness-news", "skipped", "the owner is deactivated in Slack")
    assert report.counts == {("readiness-news", "skipped"): 1}


def test_a_paused_playbook_waits_until_it_runs_again_and_a_retired_one_is_cleared_unsaid():
    paused = fakes.a_playbook("paused-one", status="paused")
    retired = fakes.a_playbook("retired-one", status="retired")
    store = owing(paused, retired)
    assert not tick(store).work
    assert store.held.outbox == [] and store.held.owed == {paused.playbook.id}
    store.held.put(replace(paused, playbook=clone(paused.playbook, status="active")))  # resumed
    tick(store)
    assert [m.channel for m in store.held.outbox] == [OWNER] and store.held.owed == set()


def test_nothing_owed_nothing_done():
    store = FakeStore(fakes.a_playbook())
    assert not tick(store).work and store.units == [] and store.held.outbox == []
