"""`/rollout calibrate` on the fakes (usecases/commands.py's calibrate): a run of a step's
declared calibration set, kept against the playbook's latest revision; a step without a
set, a total that is not the set's size, someone not the owner or a curator are refused
and nothing is kept. What the grammar refuses is tests/handlers/test_grammar.py's; a signed
request is tests/handlers/test_calibrate.py's."""

from __future__ import annotations

import pytest

from cadence import setup_decisions
from cadence.change import Change
from tests import fakes
from tests.committed import committed
from tests.fakes import CURATOR, MEMBER, NOW, OWNER
from usecases import commands
from usecases.shared import messages
from usecases.shared.caller import Refusal

SLUG = "support-replies"
STEPS = [
    {"name": "draft", "mode": "collaborative", "calibration": {"cases": 40}},
    {"name": "send", "mode": "ai-led"},
    {"name": "refunds", "mode": "human-led", "pinned": True},
]


def world(**more):
    services = fakes.services(fakes.a_playbook(**more))
    return services, fakes.store_of(services)


def calibrate(services, step="draft", passed=37, total=40, note=None, user=OWNER):
    cmd = messages.Calibrate(SLUG, step, passed, total, note)
    return commands.calibrate(fakes.caller(services, user), cmd)


def refused(services, **cmd) -> Refusal:
    store = fakes.store_of(services)
    with pytest.raises(Refusal) as raised:
        calibrate(services, **cmd)
    assert store.held.calibrations == [] and store.commits() == 0
    return raised.value


@pytest.mark.parametrize("user", [OWNER, CURATOR])
def test_a_run_is_kept_with_who_when_and_its_note(user):
    services, store = world(steps=STEPS)
    done = calibrate(services, "DRAFT", note="after the new prompt", user=user)
    assert done.step.name == "draft"
    [run] = store.held.calibrations
    assert (run.step, run.kind, run.passed, run.total, run.note) == ("draft", "run", 37, 40, "after the new prompt")
    assert (run.recorded_by, run.recorded_at, run.playbook_id) == (user, NOW, done.state.playbook.id)
    assert done.run is run and store.commits() == 1


def test_a_run_is_kept_against_the_latest_revision():
    services, store = world(steps=STEPS)
    state = store.playbooks.state(SLUG)
    committed(store).governance.apply(
        Change(decisions=[setup_decisions.of_playbook_created(state.playbook.id, SLUG, {}, OWNER)]), NOW
    )
    [created] = store.held.decisions
    calibrate(services)
    assert store.held.calibrations[0].revision == created["id"]


def test_each_run_is_kept_the_one_below_the_threshold_too():
    services, store = world(steps=STEPS)
    calibrate(services, passed=37)
    calibrate(services, passed=30)
    assert [r.passed for r in store.held.calibrations] == [37, 30]


def test_a_playbook_wide_set_covers_every_step_with_a_rubric():
    steps = [{"name": "draft", "mode": "collaborative"}, {"name": "send", "mode": "ai-led", "rubric": "none"}]
    services, store = world(steps=steps, calibration={"cases": 20})
    calibrate(services, passed=19, total=20)
    refusal = refused_after(services, step="send", passed=19, total=20)
    assert (refusal.key, refusal.values) == ("calibrate_undeclared", {"slug": SLUG, "step": "send"})
    assert len(store.held.calibrations) == 1


def refused_after(services, **cmd) -> Refusal:
    store = fakes.store_of(services)
    kept, commits = list(store.held.calibrations), store.commits()
    with pytest.raises(Refusal) as raised:
        calibrate(services, **cmd)
    assert store.held.calibrations == kept and store.commits() == commits
    return raised.value


def test_a_step_without_a_set_is_refused():
    services, _ = world(steps=STEPS)
    refusal = refused(services, step="send")
    assert (refusal.key, refusal.usage, refusal.values) == (
        "calibrate_undeclared",
        "calibrate",
        {"slug": SLUG, "step": "send"},
    )


def test_a_total_that_is_not_the_sets_size_is_refused():
    services, _ = world(steps=STEPS)
    refusal = refused(services, passed=37, total=50)
    assert (refusal.key, refusal.values["total"], refusal.values["cases"]) == ("calibrate_total", 50, 40)


def test_only_the_owner_or_a_curator_calibrates():
    services, _ = world(steps=STEPS)
    refusal = refused(services, user=MEMBER)
    assert (refusal.key, refusal.usage) == ("owner_or_curator_only", "calibrate")


def test_no_such_step_or_playbook_names_close_matches():
    services, _ = world(steps=STEPS)
    refusal = refused(services, step="drafts")
    assert (refusal.key, refusal.suggestions) == ("no_step", ("draft",))
    with pytest.raises(Refusal) as raised:
        commands.calibrate(fakes.caller(services, OWNER), messages.Calibrate("nope", "draft", 37, 40))
    assert raised.value.key == "no_playbook"
