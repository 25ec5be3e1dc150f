"""The fakes of the writes that make and change a playbook (storage/playbooks.py's load,
storage/made.py's create and revise) and of reports.week_mean answer as the real ones:
the decisions for the caller to record, a slug taken, a stale form, the mean of the
readings that stand. (The CSV export is a read view, never faked: tests/bot/test_export.py.)"""

from __future__ import annotations

from datetime import date

import pytest

from cadence.definition_load import parse_playbook
from storage.made import Stale, fingerprint
from storage.playbooks import Conflict
from storage.report_batches import new_report
from tests import fakes
from tests.committed import committed
from tests.fakes import NOW, OWNER

WEEK = date(2026, 3, 9)


def test_load_creates_updates_and_leaves_unchanged_with_the_decisions_for_the_caller():
    store = fakes.FakeStore()
    raw = fakes.definition()
    [created] = store.playbooks.load([parse_playbook(raw)], "UTC", "test", NOW)
    assert (created.action, created.decision.kind) == ("created", "playbook-created")
    state = store.playbooks.state("support-replies")
    assert state.playbook.status == "draft" and state.anchor is None and len(state.steps) == 3
    [same] = store.playbooks.load([parse_playbook(raw)], "UTC", "test", NOW)
    assert (same.action, same.decision) == ("unchanged", None)
    steps = [{**s, "mode": "ai-led"} if s["name"] == "draft" else s for s in raw["steps"]]
    [updated] = store.playbooks.load([parse_playbook({**raw, "steps": steps})], "UTC", "test", NOW)
    assert (updated.action, updated.changes, updated.decision.kind) == ("updated", ["steps"], "playbook-changed")
    # a move up is not written by a definition: it is the caller's to clear (storage/step_modes.py)
    assert updated.declared == [] and [(m.step, m.from_mode, m.to_mode) for m in updated.ups] == [
        ("draft", "collaborative", "ai-led")
    ]
    assert store.playbooks.state("support-replies").step("draft").mode == "collaborative"
    steps = [{**s, "mode": "human-led"} if s["name"] == "draft" else s for s in raw["steps"]]
    [down] = store.playbooks.load([parse_playbook({**raw, "steps": steps})], "UTC", "test", NOW)
    assert [(d.kind, d.actor) for d in down.declared] == [("mode-change", "test")] and down.ups == []
    assert store.playbooks.state("support-replies").step("draft").mode == "human-led"
    assert store.held.decisions == []  # the caller records them


def test_create_is_refused_a_slug_taken_and_revise_a_stale_form():
    state = fakes.a_playbook()
    store = fakes.FakeStore(state)
    spec = parse_playbook(fakes.definition())
    with pytest.raises(Conflict):
        store.made.create(spec, "UTC", OWNER, NOW, date(2026, 3, 16))
    made = store.made.create(parse_playbook(fakes.definition(playbook="other")), "UTC", OWNER, NOW, date(2026, 3, 16))
    other = store.playbooks.state("other")
    assert (made.playbook_id, other.playbook.status, other.anchor.number) == (other.playbook.id, "active", 1)

    opened = fingerprint(state.playbook.definition)
    assert store.made.revise(state.playbook.id, opened, spec, "UTC", OWNER, NOW) is None  # nothing changed
    changed = parse_playbook(fakes.definition(exception_cap=0.05))
    rewritten = store.made.revise(state.playbook.id, opened, changed, "UTC", OWNER, NOW)
    assert rewritten is not None and rewritten.before["exception_cap"] == 0.1
    with pytest.raises(Stale):
        store.made.revise(state.playbook.id, opened, spec, "UTC", OWNER, NOW)


def test_week_mean_is_of_the_readings_that_stand():
    state = fakes.a_playbook()
    store = fakes.FakeStore(state)
    assert store.reports.week_mean(state.playbook.id, WEEK) == (None, 0)
    rows = [new_report("kpi", state.playbook.id, WEEK, OWNER, NOW, value=v) for v in (30.0, 40.0)]
    committed(store).reports.add_reports(rows)
    assert store.reports.week_mean(state.playbook.id, WEEK) == (35.0, 2)
    store.reports.withdraw_latest(state.playbook.id, OWNER, [WEEK], ["kpi"], OWNER, NOW)
    assert store.reports.week_mean(state.playbook.id, WEEK) == (30.0, 1)
